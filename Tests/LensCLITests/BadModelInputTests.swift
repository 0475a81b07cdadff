import Foundation
import LensTensor
import Testing
@testable import LensCLI

/// Bad input to `lens evaluate` and `lens predict`: each message names the file or value and the problem.
@Suite("evaluate and predict refuse bad models, splits and images clearly")
struct BadModelInputTests {
    /// A real k-NN model file trained on a small pattern folder; returns its path.
    private func trainedModel(in scratch: ScratchFolder) throws -> String {
        let path = scratch.path("model.safetensors")
        try parse(TrainCommand.self, ["train", "--model", "knn", "--data", try scratch.writePatternDataset(), "--out", path]).train()
        return path
    }

    private func evaluateFailure(_ arguments: [String]) -> String? {
        failureMessage { _ = try parse(EvaluateCommand.self, ["evaluate"] + arguments).evaluate() }
    }

    private func predictFailure(_ arguments: [String]) -> String? {
        failureMessage { _ = try parse(PredictCommand.self, ["predict"] + arguments).predict() }
    }

    @Test("evaluate with a nonexistent model")
    func missingModel() throws {
        let scratch = try ScratchFolder()
        let missing = scratch.path("gone.safetensors")
        let message = evaluateFailure(["--model", missing])
        #expect(message?.hasPrefix(missing) == true, "\(message ?? "no error")")
        #expect(message?.contains("no such file") == true, "\(message ?? "no error")")
    }

    @Test("evaluate with a truncated model file", arguments: [4, 100, 2])
    func truncatedModel(keepOneIn fraction: Int) throws {
        let scratch = try ScratchFolder()
        let path = try trainedModel(in: scratch)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = try scratch.write("truncated.safetensors", bytes.prefix(bytes.count / fraction))
        let message = evaluateFailure(["--model", truncated])
        #expect(message?.hasPrefix(truncated) == true, "\(message ?? "no error")")
        #expect(message?.contains("truncated") == true, "\(message ?? "no error")")
    }

    @Test("evaluate with a file that is not a model (a PNG)")
    func pngAsModel() throws {
        let scratch = try ScratchFolder()
        let png = try scratch.write("photo.png", try Pattern.top.png(width: 40, height: 30, channels: 3))
        let message = evaluateFailure(["--model", png])
        #expect(message?.hasPrefix(png) == true, "\(message ?? "no error")")
        #expect(message?.contains("not a safetensors") == true, "\(message ?? "no error")")
    }

    @Test("evaluate with a safetensors file that is not a NeuralLens model")
    func foreignSafetensors() throws {
        let scratch = try ScratchFolder()
        let path = scratch.path("weights.safetensors")
        try SafetensorsFile(tensors: ["fc.weight": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])]).write(to: URL(fileURLWithPath: path))
        let message = evaluateFailure(["--model", path])
        #expect(message?.contains(path) == true, "\(message ?? "no error")")
        #expect(message?.contains("is not a NeuralLens model") == true, "\(message ?? "no error")")
    }

    @Test("evaluate --split banana")
    func badSplit() throws {
        let scratch = try ScratchFolder()
        let message = evaluateFailure(["--model", try trainedModel(in: scratch), "--split", "banana"])
        #expect(message?.contains("--split banana") == true, "\(message ?? "no error")")
        #expect(message?.contains("train, validation, test, all") == true, "\(message ?? "no error")")
    }

    @Test("predict with a nonexistent image")
    func missingImage() throws {
        let scratch = try ScratchFolder()
        let missing = scratch.path("nobody.jpg")
        let message = predictFailure(["--model", try trainedModel(in: scratch), missing])
        #expect(message == "\(missing): no such file")
    }

    @Test("predict with a text file named .png")
    func textAsImage() throws {
        let scratch = try ScratchFolder()
        let text = try scratch.write("notes.png", Data("dear diary".utf8))
        let message = predictFailure(["--model", try trainedModel(in: scratch), text])
        #expect(message?.hasPrefix(text) == true, "\(message ?? "no error")")
        #expect(message?.contains("not a PNG, JPEG or PGM image") == true, "\(message ?? "no error")")
    }

    @Test("predict and evaluate with a k-NN model whose training vectors hold NaN name the tensor")
    func nonFiniteNearestNeighborModel() throws {
        let scratch = try ScratchFolder()
        let path = try trainedModel(in: scratch)
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        var images = try #require(file["train.images"])
        images.scalars[3] = .nan
        file["train.images"] = images
        try file.write(to: URL(fileURLWithPath: path))
        let image = try scratch.write("probe.png", try Pattern.top.png(width: 16, height: 16, channels: 1))
        for message in [predictFailure(["--model", path, image]), evaluateFailure(["--model", path])] {
            #expect(message == "model \(path) tensor train.images holds nan at element 3; parameters must be finite (the file is damaged: retrain the model)",
                    "\(message ?? "no error")")
        }
    }
}
