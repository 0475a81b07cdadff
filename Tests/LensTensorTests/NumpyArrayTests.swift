import Foundation
import Testing
@testable import LensTensor

@Suite("NumPy .npy files")
struct NumpyArrayTests {
    @Test("the header is the spec's, byte for byte, with the data at a multiple of 64")
    func headerIsByteExact() throws {
        let header = try NumpyArray.header(shape: [2, 3])
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        // 6 magic + 2 version + 2 length + 59 dict = 69, so 58 spaces and a newline make 128 (numpy 2.4's np.save gives these 128 bytes too).
        let expected = Data([0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]) + Data((dict + String(repeating: " ", count: 58) + "\n").utf8)
        #expect(header == expected)
        #expect(header.count % 64 == 0)
    }

    @Test("one-dimensional shapes are written as Python tuples (n,); scalars as ()")
    func tupleForms() throws {
        let vector = String(decoding: try NumpyArray.header(shape: [5]).dropFirst(10), as: UTF8.self)
        #expect(vector.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"))
        #expect(vector.hasSuffix(" \n"))
        let scalar = String(decoding: try NumpyArray.header(shape: []).dropFirst(10), as: UTF8.self)
        #expect(scalar.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"))
        for shape in [[1], [3, 64, 64], [64, 1, 28, 28], [0, 4]] {
            #expect(try NumpyArray.header(shape: shape).count % 64 == 0, "shape \(shape)")
        }
    }

    @Test("values are little-endian float32 in C order and read back exactly, NaN and signs included")
    func roundTrip() throws {
        let tensor = Tensor(shape: [2, 1, 2, 3], scalars: [0, -0.0, 1.5, -2.25, .infinity, 3e-39, 7, 8, 9, 10, 11, -12])
        let data = try NumpyArray.encode(tensor)
        #expect(data.count == 128 + 12 * 4)
        #expect(Array(data[128..<136]) == [0, 0, 0, 0, 0, 0, 0, 0x80])  // 0, then -0 (sign bit only)
        let back = try NumpyArray.decode(data)
        #expect(back.shape == tensor.shape)
        #expect(back.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
        let nan = try NumpyArray.decode(try NumpyArray.encode(Tensor(shape: [1], scalars: [.nan])))
        #expect(nan.scalars[0].isNaN)
    }

    @Test("write is atomic into an existing folder, and read finds the file again")
    func writesFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("map.npy")
        let tensor = Tensor(shape: [1, 4, 4], scalars: (0..<16).map { Float($0) / 3 })
        try NumpyArray.write(tensor, to: url)
        #expect(try NumpyArray.read(contentsOf: url) == tensor)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["map.npy"])
        #expect(throws: AtomicFileError.self) { try NumpyArray.write(tensor, to: folder.appendingPathComponent("no/such/dir.npy")) }
    }

    @Test("damaged or foreign files are one-line errors naming the file")
    func damagedFiles() throws {
        func problem(_ data: Data) -> String {
            do { _ = try NumpyArray.decode(data, path: "m.npy"); return "" } catch { return "\(error)" }
        }
        let good = try NumpyArray.encode(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        #expect(problem(Data("hello".utf8)) == "m.npy: is not a .npy file (no \\x93NUMPY magic)")
        #expect(problem(good.dropLast(1)).contains("needs 16 data bytes but the file has 15"))
        #expect(problem(good.prefix(40)).contains("truncated"))
        func file(_ dict: String, dataBytes: Int) -> Data {
            let text = dict + "\n"
            return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count), 0]) + Data(text.utf8) + Data(count: dataBytes)
        }
        #expect(problem(file("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", dataBytes: 16))
            == "m.npy: holds '<f8', not little-endian float32 ('<f4')")
        #expect(problem(file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", dataBytes: 16)).contains("Fortran order"))
        #expect(problem(file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", dataBytes: 16))
            == "m.npy: shape (99999999999, 99999999999) is larger than the file")
    }
}
