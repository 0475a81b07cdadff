import Foundation

/// NumPy's `.npy` format, version 1.0 (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
/// for float32 tensors: `numpy.load` reads what `encode` writes, shape and values exact.
///
/// Layout: the magic `\x93NUMPY`, the version bytes 1 and 0, a little-endian UInt16 header length,
/// then an ASCII Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }`
/// padded with spaces and ended by `\n` so that the data starts at a multiple of 64 bytes, then the
/// scalars in C order, little-endian.
public enum NumpyArray {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// The data starts at a multiple of this many bytes (the spec's alignment since NumPy 1.24; 16 before).
    static let alignment = 64

    /// The header (magic to newline) for a float32 C-order array of `shape`.
    public static func header(shape: [Int]) throws -> Data {
        let dimensions = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dimensions), }"
        let unpadded = magic.count + 2 + 2 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (alignment - unpadded % alignment) % alignment) + "\n"
        // Version 1.0 stores the header length in 16 bits; no image-sized shape comes near it.
        guard let length = UInt16(exactly: dict.utf8.count) else {
            throw NumpyArrayError(path: "<memory>", problem: "shape \(shape) makes a header longer than version 1.0 allows")
        }
        var out = Data(magic)
        out.append(contentsOf: [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(Data(dict.utf8))
        return out
    }

    /// The whole file: header, then the scalars as little-endian float32.
    public static func encode(_ tensor: Tensor) throws -> Data {
        var out = try header(shape: tensor.shape)
        out.reserveCapacity(out.count + tensor.count * 4)
        tensor.scalars.withUnsafeBufferPointer { buffer in
            for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// Writes `tensor` to `url` atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(try encode(tensor), to: url)
    }

    /// Reads a `.npy` file of little-endian float32 in C order (version 1.0, 2.0 or 3.0).
    public static func read(contentsOf url: URL) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NumpyArrayError(path: url.path, problem: FileManager.default.fileExists(atPath: url.path)
                ? "cannot be read (\(FileProblem.words(error)))" : "no such file")
        }
        return try decode(data, path: url.path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> Tensor {
        func fail(_ problem: String) -> NumpyArrayError { NumpyArrayError(path: path, problem: problem) }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("is not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard (1...3).contains(major), bytes.count >= 8 + lengthBytes else { throw fail("has unsupported .npy version \(major).\(bytes[7])") }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let dataStart = 8 + lengthBytes + headerLength
        guard dataStart <= bytes.count else { throw fail("is truncated: the header runs past the end of the file") }
        let header = String(decoding: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else { throw fail("holds \(field("descr", in: header) ?? "an unknown type"), not little-endian float32 ('<f4')") }
        guard header.contains("'fortran_order': False") else { throw fail("is in Fortran order; only C order is read") }
        guard let shapeText = field("shape", in: header) else { throw fail("header has no shape") }
        let items = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = [], count = 1
        for item in items {
            guard let dimension = Int(item), dimension >= 0 else { throw fail("shape \(shapeText) is not a tuple of sizes") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= bytes.count else { throw fail("shape \(shapeText) is larger than the file") }
            shape.append(dimension)
            count = product
        }
        guard bytes.count - dataStart == count * 4 else {
            throw fail("shape \(shapeText) needs \(count * 4) data bytes but the file has \(bytes.count - dataStart)")
        }
        let scalars = (0..<count).map { i -> Float in
            let p = dataStart + 4 * i
            let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
            return Float(bitPattern: bits)
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The text of `'key': value` in a header dict, up to the next `, '` or the closing brace.
    private static func field(_ key: String, in header: String) -> String? {
        guard let start = header.range(of: "'\(key)': ")?.upperBound else { return nil }
        let rest = header[start...]
        if rest.hasPrefix("(") {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return String(rest[..<end])
    }
}

public struct NumpyArrayError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}
