import Foundation
import LensTensor

/// An IDX file of unsigned bytes (the MNIST format): a big-endian magic number 0x0000 08 NN
/// (NN = number of dimensions), NN big-endian UInt32 sizes, then the bytes, gzip-compressed or not.
package struct IDXFile {
    package static let imagesMagic = 2051  // 3 dimensions: count, rows, columns
    package static let labelsMagic = 2049  // 1 dimension: count

    var dimensions: [Int]
    /// The whole decompressed file; the data starts at `dataOffset`.
    var bytes: [UInt8]
    var dataOffset: Int

    init(contentsOf url: URL, magic expectedMagic: Int) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.badIDX(url.path, problem: "cannot be read (\(FileProblem.words(error)))")
        }
        try self.init(data: data, path: url.path, magic: expectedMagic)
    }

    /// `path` names the file in errors.
    package init(data: Data, path: String, magic expectedMagic: Int) throws {
        if data.isEmpty { throw DatasetError.badIDX(path, problem: "file is empty (0 bytes)") }
        let bytes = try Gzip.decompress(data, path: path)
        let kind = expectedMagic == Self.imagesMagic ? "image" : "label"
        let expectedDimensions = expectedMagic & 0xFF
        let headerSize = 4 + 4 * expectedDimensions
        guard bytes.count >= 4 else {
            throw DatasetError.badIDX(path, problem: "truncated: \(bytes.count) bytes, too short for an IDX header")
        }
        let magic = Self.bigEndian(bytes, at: 0)
        guard magic == expectedMagic else {
            throw DatasetError.badIDX(path, problem: "wrong magic number \(magic) (expected \(expectedMagic) for an IDX \(kind) file)")
        }
        guard bytes.count >= headerSize else {
            throw DatasetError.badIDX(path, problem: "truncated: the IDX header needs \(headerSize) bytes, found \(bytes.count)")
        }
        let dimensions = (0..<expectedDimensions).map { Self.bigEndian(bytes, at: 4 + 4 * $0) }
        let (expectedBytes, overflow) = dimensions.reduce((1, false)) { partial, size in
            let (product, overflow) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || overflow)
        }
        let found = bytes.count - headerSize
        guard !overflow, found == expectedBytes else {
            let sizes = dimensions.map(String.init).joined(separator: "x")
            throw DatasetError.badIDX(path, problem: found < expectedBytes || overflow
                ? "truncated: the header promises \(sizes) = \(expectedBytes) bytes of data, found \(found)"
                : "\(found - expectedBytes) unexpected bytes after the \(sizes) data")
        }
        self.dimensions = dimensions
        self.bytes = bytes
        self.dataOffset = headerSize
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
}
