import Foundation
import LensStudio
import LensTensor
import LensTestSupport
import Testing
@testable import LensCLI

/// `lens explain --method feature-vis` and `--method embedding` end to end on a small CNN trained
/// on the pattern folder: the JSON fields of the output contract, the .npy files, and the refusals.
@Suite("lens explain: feature visualisation and the embedding view")
struct FeatureVisCommandTests {
    private func trainedCNN() throws -> (ScratchFolder, String) {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset(pngsPerClass: 20)
        let path = scratch.path("cnn.safetensors")
        _ = try parse(TrainCommand.self, ["train", "--model", "cnn", "--arch", "conv3x3x4,pool,fc8", "--data", data, "--size", "16",
                                          "--epochs", "1", "--out", path]).train()
        return (scratch, path)
    }

    @Test("feature-vis: a unit's images, their ratio and path check as JSON, the images as .npy")
    func featureVis() throws {
        let (scratch, model) = try trainedCNN()
        let out = scratch.path("vis")
        guard case .featureVis(let report) = try parse(ExplainCommand.self, [
            "explain", "--model", model, "--method", "feature-vis", "--layer", "relu1", "--unit", "2", "--objective", "unit",
            "--ascent-steps", "24", "--diversity", "--npy", "--out", out]).explain() else {
            Issue.record("feature-vis gave another report"); return
        }
        #expect(report.images.count == 4)
        #expect(report.objective == "channel 2 of relu1 at the centre")
        // the picture is the centre position's receptive field: 3x3 pixels of the 16x16 image
        let field = try #require(report.field)
        #expect((field.fullTop, field.fullLeft, field.fullSize) == (7, 7, 3), "\(field)")
        #expect(report.images.allSatisfy { $0.activationRatio.isFinite || report.topNaturalActivation <= 0 })
        #expect(report.images.allSatisfy { $0.pathSimilarity.map(\.layer) == ["conv1", "relu1"] && $0.pathBaseline.count == 2 })
        // with diversity each image has its own path numbers and badge (PathCheck's own test: they are that image's alone)
        #expect(report.images.allSatisfy { $0.pathSimilarity.allSatisfy { (-1...1).contains($0.value) } })
        #expect(report.images.allSatisfy { ["natural path", "another path"].contains($0.badge) })
        let images = try NumpyArray.read(contentsOf: URL(fileURLWithPath: out + "/feature-vis.npy"))
        #expect(images.shape == [4, 1, 16, 16])
        #expect(FileManager.default.fileExists(atPath: out + "/index.html"))
        let json = try StudioJSON.text(ExplainOutput.featureVis(report))
        for field in ["\"activation_ratio\"", "\"path_similarity\"", "\"path_baseline\"", "\"badge\"", "\"full_size\""] { #expect(json.contains(field), "\(field)") }

        guard case .featureVis(let classReport) = try parse(ExplainCommand.self, [
            "explain", "--model", model, "--method", "feature-vis", "--class", "left", "--ascent-steps", "16", "--out", scratch.path("c")]).explain() else {
            Issue.record("feature-vis --class gave another report"); return
        }
        let probability = try #require(classReport.images.first?.classProbability)
        #expect((0...1).contains(probability))
        #expect(try StudioJSON.text(ExplainOutput.featureVis(classReport)).contains("\"class_probability\""))
    }

    @Test("embedding: every layer from the pixels up with its k-NN accuracy and trustworthiness, coordinates as .npy")
    func embedding() throws {
        let (scratch, model) = try trainedCNN()
        let out = scratch.path("emb")
        guard case .embedding(let report) = try parse(ExplainCommand.self, [
            "explain", "--model", model, "--method", "embedding", "--all-layers", "--split", "train", "--perplexity", "5", "--npy",
            "--out", out]).explain() else {
            Issue.record("embedding gave another report"); return
        }
        #expect(report.layers.first?.layer == "pixels" && report.layers.map(\.layer).contains("pool1") && report.layers.count >= 2)
        #expect(report.layers.allSatisfy { (0...1).contains($0.knnAccuracy) && (0...1).contains($0.trustworthiness) })
        let tsne = try NumpyArray.read(contentsOf: URL(fileURLWithPath: out + "/embedding.pool1.tsne.npy"))
        #expect(tsne.shape == [report.points, 2])
        let json = try StudioJSON.text(ExplainOutput.embedding(report))
        for field in ["\"knn_accuracy\"", "\"trustworthiness\"", "\"layer\""] { #expect(json.contains(field)) }

        // --limit: the first this many of the split; without it, the whole split
        guard case .embedding(let limited) = try parse(ExplainCommand.self, [
            "explain", "--model", model, "--method", "embedding", "--layer", "pool1", "--split", "train", "--limit", "12",
            "--perplexity", "3", "--out", scratch.path("limited")]).explain() else {
            Issue.record("embedding --limit gave another report"); return
        }
        #expect(limited.points == 12 && report.points > 12, "\(limited.points) of \(report.points)")
    }

    @Test("unit or class out of range, a channel objective on a dense layer, a perplexity above the points: one line each")
    func refusals() throws {
        let (scratch, model) = try trainedCNN()
        func failure(_ arguments: [String]) -> String {
            failureMessage { _ = try parse(ExplainCommand.self, ["explain", "--model", model, "--out", scratch.path("x")] + arguments).explain() } ?? ""
        }
        let unit = failure(["--method", "feature-vis", "--layer", "relu1", "--unit", "9", "--ascent-steps", "2"])
        #expect(unit.contains("--unit 9") && unit.contains("between 0 and 3"), "\(unit)")
        let dense = failure(["--method", "feature-vis", "--layer", "fc1", "--objective", "channel", "--ascent-steps", "2"])
        #expect(dense.contains("fc1") && dense.contains("no spatial positions"), "\(dense)")
        let className = failure(["--method", "feature-vis", "--class", "nosuch", "--ascent-steps", "2"])
        #expect(className.contains("nosuch"), "\(className)")
        let perplexity = failure(["--method", "embedding", "--layer", "pool1", "--split", "test", "--perplexity", "90"])
        #expect(perplexity.contains("--perplexity 90"), "\(perplexity)")
        for message in [unit, dense, className, perplexity] { #expect(!message.contains("\n") && !message.isEmpty) }
    }
}
