import Foundation
import Testing
@testable import LensTensor

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
