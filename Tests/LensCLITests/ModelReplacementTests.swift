import Foundation
import LensModels
import Testing
@testable import LensCLI
import LensTestSupport

@Suite("Training into an existing model file replaces it whole or not at all")
struct ModelReplacementTests {
    @Test("a new model replaces the old one whole; a failed training leaves the old bytes; no temporary files")
    func atomicReplacement() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        try scratch.makeFolder("models")
        let out = scratch.path("models/model.safetensors")
        func train(_ arguments: [String]) throws -> ModelFile {
            try parse(TrainCommand.self, ["train", "--data", data, "--out", out] + arguments).train().0
        }

        _ = try train(["--model", "knn", "--metric", "euclidean"])
        let first = try Data(contentsOf: URL(fileURLWithPath: out))

        let second = try train(["--model", "knn", "--metric", "cosine", "--k", "3"])
        let secondBytes = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(secondBytes != first)
        #expect(secondBytes == (try second.serialized()), "the file holds exactly the new model")
        guard case .nearestNeighbor(let classifier) = try ModelFile(contentsOf: URL(fileURLWithPath: out)).model else {
            Issue.record("the replaced file is not a k-NN model")
            return
        }
        #expect(classifier.metric == .cosine)
        #expect(classifier.k == 3)

        // A network whose architecture cannot be built fails before anything is written.
        let message = failureMessage { _ = try train(["--model", "cnn", "--arch", "conv3x3x4,pool,pool,pool,pool,pool", "--size", "16"]) }
        #expect(message != nil, "training with a bad --arch succeeded")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == secondBytes, "the old model is intact")

        // A --history-csv that cannot be written is refused before training, not after.
        let csvMessage = failureMessage {
            _ = try train(["--model", "softmax", "--size", "8", "--epochs", "1", "--history-csv", scratch.path("missing/history.csv")])
        }
        #expect(csvMessage == "--history-csv \(scratch.path("missing/history.csv")): the folder \(scratch.path("missing")) does not exist")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == secondBytes, "the old model is intact")

        #expect(try scratch.contents("models") == ["model.safetensors"], "no temporary files left beside the model")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: scratch.path("models")).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "temporary files left: \(hidden)")
    }
}
