import Foundation
import LensExplain
import LensModels
import LensTestSupport
import Testing
@testable import LensCLI

/// `lens explain` end to end on a small CNN trained on the pattern folder, and its refusals.
@Suite("lens explain: maps for every registered method, clear refusals")
struct ExplainCommandTests {
    /// A 1-epoch CNN on the three-pattern folder at 16x16; returns the scratch folder and the model path.
    private func trainedCNN() throws -> (ScratchFolder, String) {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let path = scratch.path("cnn.safetensors")
        _ = try parse(TrainCommand.self, ["train", "--model", "cnn", "--arch", "conv3x3x4,pool,fc8", "--data", data, "--size", "16",
                                          "--epochs", "1", "--out", path]).train()
        return (scratch, path)
    }

    private func explainFailure(_ arguments: [String]) -> String? {
        failureMessage { _ = try parse(ExplainCommand.self, ["explain"] + arguments).explain() }
    }

    @Test("each registered attribution method explains test images with their predicted class")
    func everyAttributionMethodRuns() throws {
        let (scratch, model) = try trainedCNN()
        for method in AttributionMethod.allCases {
            let out = scratch.path("maps-\(method.rawValue)")
            let report = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", method.rawValue, "--split", "test",
                                                         "--limit", "3", "--out", out]).explain()
            #expect(report.method == method.rawValue)
            #expect(report.items.count == 3, "\(method)")
            for item in report.items {
                #expect(item.target == item.predicted, "no --class: the predicted class is explained")
                #expect((0...1).contains(item.targetProbability) && item.targetProbability > 0)
                #expect(item.trueClass != nil, "split images know their class")
            }
        }
    }

    @Test("--class explains the class named, whatever was predicted")
    func namedClass() throws {
        let (scratch, model) = try trainedCNN()
        let report = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "saliency", "--split", "test", "--limit", "4",
                                                     "--class", "left", "--out", scratch.path("maps")]).explain()
        #expect(report.items.allSatisfy { $0.target == "left" })
    }

    @Test("unknown method, class or split; both --image and --split; bad --limit")
    func refusals() throws {
        let (scratch, model) = try trainedCNN()
        let out = scratch.path("maps")
        let method = parseFailure(["explain", "--model", model, "--method", "lime", "--split", "test", "--out", out])
        #expect(method?.contains("no explanation method \"lime\"") == true, "\(method ?? "no error")")
        #expect(method?.contains(AttributionMethod.saliency.rawValue) == true, "the message lists the methods")
        let className = explainFailure(["--model", model, "--method", "saliency", "--split", "test", "--class", "bob", "--out", out])
        #expect(className?.contains("no class named \"bob\"") == true && className?.contains("centre") == true, "\(className ?? "no error")")
        let split = parseFailure(["explain", "--model", model, "--method", "saliency", "--split", "everything", "--out", out])
        #expect(split?.contains("--split everything") == true, "\(split ?? "no error")")
        let both = parseFailure(["explain", "--model", model, "--method", "saliency", "--split", "test", "--image", "a.png", "--out", out])
        #expect(both?.contains("not both") == true, "\(both ?? "no error")")
        let limit = parseFailure(["explain", "--model", model, "--method", "saliency", "--split", "test", "--limit", "0", "--out", out])
        #expect(limit?.contains("--limit 0") == true, "\(limit ?? "no error")")
        let nothing = explainFailure(["--model", model, "--method", "saliency", "--out", out])
        #expect(nothing?.contains("--image") == true, "\(nothing ?? "no error")")
    }

    @Test("an image that does not decode is named in the error")
    func undecodableImage() throws {
        let (scratch, model) = try trainedCNN()
        let bad = try scratch.write("not-an-image.png", Data("hello".utf8))
        let message = explainFailure(["--model", model, "--method", "saliency", "--image", bad, "--out", scratch.path("maps")])
        #expect(message?.contains("not-an-image.png") == true, "\(message ?? "no error")")
    }

    @Test("a k-NN model is told what applies instead of gradient maps")
    func nearestNeighbourModel() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let model = scratch.path("knn.safetensors")
        _ = try parse(TrainCommand.self, ["train", "--model", "knn", "--data", data, "--out", model]).train()
        let message = explainFailure(["--model", model, "--method", "saliency", "--split", "test", "--out", scratch.path("maps")])
        #expect(message?.contains("k-NN") == true && message?.contains("nearest") == true, "\(message ?? "no error")")
    }
}
