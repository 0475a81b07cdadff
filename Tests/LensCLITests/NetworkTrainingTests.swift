import Foundation
import LensModels
import Testing
@testable import LensCLI
import LensTestSupport

@Suite("Networks through the CLI, small and quick")
struct NetworkTrainingTests {
    /// The loaded network's weight shapes (matrices and kernels), in layer order.
    private func weightShapes(_ modelFile: ModelFile) -> [[Int]] {
        guard case .network(let network) = modelFile.model else { return [] }
        return network.parameters.filter { $0.name.hasSuffix(".weight") }.map(\.tensor.shape)
    }

    @Test("softmax, 3 epochs: the model keeps 3 epochs of history and --history-csv has a header and 3 lines")
    func softmaxHistory() throws {
        let scratch = try ScratchFolder()
        let modelPath = scratch.path("softmax.safetensors"), csvPath = scratch.path("history.csv")
        let command = try parse(TrainCommand.self, ["train", "--model", "softmax", "--data", "orl", "--size", "16", "--epochs", "3",
                                                    "--out", modelPath, "--history-csv", csvPath])
        let (_, summary) = try command.train()
        #expect(summary.epochs == 3)

        let loaded = try ModelFile(contentsOf: URL(fileURLWithPath: modelPath))
        #expect(loaded.provenance.kind == .softmax)
        #expect(loaded.provenance.preprocessing.size == 16)
        #expect(loaded.history?.epochs.map(\.epoch) == [1, 2, 3])
        #expect(loaded.history?.epochs.allSatisfy { $0.trainLoss.isFinite && $0.validationAccuracy != nil } == true)
        #expect(weightShapes(loaded) == [[40, 16 * 16]], "softmax regression is one linear layer")

        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5, "header, 3 epochs, and the final newline")
        #expect(lines.first.map(String.init) == TrainingHistory.csvHeader)
        #expect(lines.dropFirst().prefix(3).map { $0.split(separator: ",").first.map(String.init) } == ["1", "2", "3"])
        #expect(lines.last == "")
    }

    @Test("mlp --hidden 32,16 builds those hidden layers")
    func mlpHiddenLayers() throws {
        let scratch = try ScratchFolder()
        let modelPath = scratch.path("mlp.safetensors")
        let (_, summary) = try parse(TrainCommand.self, ["train", "--model", "mlp", "--hidden", "32,16", "--data", "orl",
                                                         "--size", "16", "--epochs", "2", "--out", modelPath]).train()
        #expect(summary.epochs == 2)
        let loaded = try ModelFile(contentsOf: URL(fileURLWithPath: modelPath))
        #expect(loaded.provenance.kind == .mlp)
        #expect(weightShapes(loaded) == [[32, 256], [16, 32], [40, 16]])
    }

    @Test("cnn --arch conv3x3x4,pool,fc16 builds that network, and it evaluates and predicts")
    func cnnCompactArchitecture() throws {
        let scratch = try ScratchFolder()
        let modelPath = scratch.path("cnn.safetensors")
        let (_, summary) = try parse(TrainCommand.self, ["train", "--model", "cnn", "--arch", "conv3x3x4,pool,fc16", "--data", "orl",
                                                         "--size", "16", "--epochs", "1", "--out", modelPath]).train()
        #expect(summary.epochs == 1)
        let loaded = try ModelFile(contentsOf: URL(fileURLWithPath: modelPath))
        #expect(loaded.provenance.kind == .cnn)
        #expect(weightShapes(loaded) == [[4, 1, 3, 3], [16, 4 * 8 * 8], [40, 16]], "same-padded conv, 2x2 pool, fc16, output")

        let evaluation = try parse(EvaluateCommand.self, ["evaluate", "--model", modelPath]).evaluate()
        #expect(evaluation.n == 80)
        let trace = (0..<40).map { evaluation.confusion[$0][$0] }.reduce(0, +)
        #expect(evaluation.correct == trace, "correct answers are the confusion matrix's diagonal")
        #expect(evaluation.accuracy == Double(trace) / 80)
        #expect(evaluation.confusion.joined().reduce(0, +) == 80)
        // The validation split scored by `evaluate` (the saved model, its recorded split) gives the
        // figure the trainer measured on it during training: two paths, one answer.
        let validation = try parse(EvaluateCommand.self, ["evaluate", "--model", modelPath, "--split", "validation"]).evaluate()
        #expect(validation.n == 80)
        #expect(loaded.provenance.validationAccuracy == validation.accuracy,
                "trained \(loaded.provenance.validationAccuracy ?? -1), evaluated \(validation.accuracy)")

        // An ORL face is 92x112 gray; a colour image of another size is preprocessed the same way.
        let probe = try scratch.write("probe.png", try Pattern.centre.png(width: 37, height: 53, channels: 3))
        let predictions = try parse(PredictCommand.self, ["predict", "--model", modelPath, "--top", "5", probe]).predict()
        #expect(predictions.count == 1)
        #expect(predictions.first?.top.count == 5)
        #expect(predictions.first?.neighbors == nil, "networks have no neighbours to show")
        #expect(predictions.first.map { $0.predicted == $0.top.first?.class } == true)
    }
}
