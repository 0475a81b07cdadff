import Foundation
import Testing
@testable import LensTensor
import LensTestSupport

@Test func safetensorsRoundTrip() throws {
    var file = SafetensorsFile(tensors: ["w": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, -6])], metadata: ["k": "v"])
    file.setInt64("target", Tensor(shape: [2], scalars: [3, 1]))
    let back = try SafetensorsFile(data: file.serialized())
    #expect(back["w"] == Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, -6]))
    #expect(back["target"]?.scalars == [3, 1])
    #expect(back.tensors["target"]?.dtype == .i64)
    #expect(back.metadata == ["k": "v"])
}

@Test func readsConformanceFixture() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../LensModelsTests/Conformance/mlp.safetensors")
    let file = try SafetensorsFile(contentsOf: url)
    #expect(file["layers.0.weight"]?.shape == [12, 20])
    #expect(file["input"]?.shape == [4, 20])
}

// MARK: hostile and damaged files

private func header(_ json: String, data: [UInt8] = []) -> Data {
    var out = Data()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(Data(json.utf8))
    out.append(contentsOf: data)
    return out
}

private func problem(_ data: Data) -> String? {
    do { _ = try SafetensorsFile(data: data, path: "m.safetensors"); return nil } catch {
        return "\(error)"
    }
}

@Test func truncatedFileIsAClearError() throws {
    let whole = SafetensorsFile(tensors: ["w": Tensor(shape: [4], scalars: [1, 2, 3, 4])]).serialized()
    #expect(problem(whole.prefix(5))?.contains("too short") == true)
    #expect(problem(whole.prefix(whole.count - 3))?.contains("outside") == true)
    #expect(problem(Data())?.contains("m.safetensors") == true)
}

@Test func headerLengthPastTheEndIsAClearError() {
    var data = header("{}")
    data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(5000).littleEndian) { Data($0) })
    #expect(problem(data)?.contains("runs past the end") == true)
    data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64.max.littleEndian) { Data($0) })
    #expect(problem(data)?.contains("limit") == true)
}

@Test func offsetsOutOfRangeOrOverlappingAreRejected() {
    let outOfRange = header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])
    #expect(problem(outOfRange)?.contains("outside the 4 data bytes") == true)
    let overlapping = header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                             data: [UInt8](repeating: 0, count: 8))
    #expect(problem(overlapping)?.contains("overlap") == true)
    let wrongSize = header(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
    #expect(problem(wrongSize)?.contains("needs 12 bytes") == true)
    let reversed = header(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: [UInt8](repeating: 0, count: 8))
    #expect(problem(reversed) != nil)
    let hugeShape = header(#"{"a":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
    #expect(problem(hugeShape)?.contains("larger than the file") == true)
}

@Test func malformedHeadersAreRejected() {
    #expect(problem(header("not json"))?.contains("header is not valid JSON") == true)
    #expect(problem(header(#"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))?.contains("unsupported dtype") == true)
    #expect(problem(header(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))?.contains("shape") == true)
    #expect(problem(header(#"{"__metadata__":{"k":3}}"#))?.contains("not a string") == true)
}

@Test func aHeaderProblemSaysWhy() {
    // Two entries of one name: JSON readers keep the last; the file is refused, naming the key.
    let entry = #"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#
    #expect(problem(header(#"{"w":\#(entry),"w":\#(entry)}"#, data: [0, 0, 0, 0]))
            == "m.safetensors: header names \"w\" twice; each tensor (and __metadata__) must appear once")
    #expect(problem(header(#"{"__metadata__":{"k":"a","k":"b"}}"#))?.contains("names \"k\" twice") == true)
    // The same name in two different objects is no repetition.
    #expect(problem(header(#"{"__metadata__":{"w":"x"},"w":\#(entry)}"#, data: [0, 0, 0, 0])) == nil)
    #expect(problem(header(#"{"a":1"#))?.hasPrefix("m.safetensors: header is not valid JSON (") == true)
    #expect(problem(header("[1, 2]")) == "m.safetensors: header is JSON but not an object of tensors (it is a list)")
    // A newline in a tensor name is escaped in the one-line message.
    let named = problem(header(#"{"bad\nname":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
    #expect(named?.contains("bad\\nname") == true && named?.contains("\n") == false, "\(named ?? "no error")")
}

@Test func writesAreAtomicAndLeaveNoTemporaryFiles() throws {
    let scratch = try ScratchFolder()
    let directory = scratch.url
    let url = directory.appendingPathComponent("m.safetensors")
    try SafetensorsFile(tensors: ["w": Tensor(shape: [1], scalars: [1])]).write(to: url)
    try SafetensorsFile(tensors: ["w": Tensor(shape: [1], scalars: [2])]).write(to: url)
    #expect(try SafetensorsFile(contentsOf: url)["w"]?.scalars == [2])
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["m.safetensors"])
    #expect(throws: AtomicFileError.self) {
        try AtomicFile.write(Data([1]), to: directory.appendingPathComponent("missing/dir/x"))
    }
}

@Test func severalFilesAreAllWrittenOrNoneReplaced() throws {
    let scratch = try ScratchFolder()
    let directory = scratch.url
    let model = directory.appendingPathComponent("m.safetensors"), history = directory.appendingPathComponent("h.csv")
    try AtomicFile.write([(Data("old model".utf8), model), (Data("old history".utf8), history)])
    // The second target cannot be written: the first keeps its old bytes and no temporary file stays.
    #expect(throws: AtomicFileError.self) {
        try AtomicFile.write([(Data("new model".utf8), model), (Data("x".utf8), directory.appendingPathComponent("gone/h.csv"))])
    }
    #expect(try Data(contentsOf: model) == Data("old model".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["h.csv", "m.safetensors"])
    try AtomicFile.write([(Data("new model".utf8), model), (Data("new history".utf8), history)])
    #expect(try Data(contentsOf: model) == Data("new model".utf8) && Data(contentsOf: history) == Data("new history".utf8))
}
