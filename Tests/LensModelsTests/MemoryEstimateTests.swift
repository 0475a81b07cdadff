import Foundation
import Testing
import LensData
import LensTensor
@testable import LensModels

@Suite("Memory is estimated from the architecture before anything is allocated")
struct MemoryEstimateTests {
    @Test("a small MLP: parameters and bytes counted exactly")
    func smallNetwork() throws {
        // [1,2,2] → flatten (4) → fc 3 → relu → fc 2: 4·3+3 + 3·2+2 = 23 parameters.
        let architecture = try Architecture.mlp(inputShape: [1, 2, 2], hidden: [3], classes: 2)
        let estimate = MemoryEstimate(architecture, batchSize: 10, threads: 1)
        #expect(estimate.parameters == 23)
        #expect(estimate.parameterBytes == 23 * 6 * 4)
        // Inputs plus outputs of flatten (4+4), fc1 (4+3), relu (3+3), fc2 (3+2) = 26 floats per item.
        #expect(estimate.activationBytes == 26 * 10 * 4)
        #expect(throws: Never.self) { try estimate.check(budget: 10_000) }
        #expect(throws: ModelRecipeError.self) { try estimate.check(budget: 1_000) }
    }

    @Test("a convolution counts its column matrix per thread")
    func convolutionColumns() throws {
        let architecture = try Architecture.parse("conv3x3x4", inputShape: [2, 8, 8], classes: 2)
        let one = MemoryEstimate(architecture, batchSize: 1, threads: 1), two = MemoryEstimate(architecture, batchSize: 1, threads: 2)
        // 2 channels · 9 taps · 64 positions per thread.
        #expect(two.activationBytes - one.activationBytes == 2 * 9 * 64 * 4)
    }

    @Test("10⁸ hidden units are refused with the estimate in the message", arguments: ["fc100000000", "conv3x3x100000000"])
    func hugeLayer(layout: String) throws {
        let architecture = try Architecture.parse(layout, inputShape: [1, 64, 64], classes: 40)
        let message = failure { try MemoryEstimate(architecture, batchSize: 32).check() }
        #expect(message?.contains("this network needs about") == true && message?.contains(" TB to train") == true, "\(message ?? "accepted")")
        #expect(message?.contains("this machine allows") == true, "\(message ?? "accepted")")
    }

    @Test("a model file whose architecture declares more parameters than it stores is refused before allocating")
    func modelFileDeclaringAHugeNetwork() throws {
        let architecture = try Architecture.mlp(inputShape: [1, 2, 2], hidden: [3], classes: 2)
        let provenance = ModelProvenance(kind: .mlp, classNames: ["a", "b"], preprocessing: Preprocessing(size: 2),
                                         dataset: "d", split: .folder, datasetCount: 4)
        var file = try SafetensorsFile(data: ModelFile(provenance: provenance, model: .network(Network(architecture: architecture, seed: 1))).serialized())
        let huge = try Architecture.mlp(inputShape: [1, 2, 2], hidden: [100_000_000_000], classes: 2)
        file.metadata["architecture"] = huge.json
        let message = failure { _ = try ModelFile(file: file, path: "m.safetensors") }
        #expect(message == "model m.safetensors architecture declares 700 billion parameters but the file holds 23", "\(message ?? "loaded")")
    }

    private func failure(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }
}
