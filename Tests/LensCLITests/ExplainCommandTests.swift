import Foundation
import LensExplain
import LensModels
import LensStudio
import LensTensor
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
            let output = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", method.rawValue, "--split", "test",
                                                         "--limit", "3", "--out", out]).explain()
            let report = try #require(output.attributionReport)
            #expect(report.method == method.rawValue)
            #expect(report.items.count == 3, "\(method)")
            #expect(FileManager.default.fileExists(atPath: out + "/index.html"))
            for item in report.items {
                #expect(item.files.contains { $0.hasSuffix(".png") } || item.problem != nil, "\(method): a picture or the reason there is none")
                #expect(item.target == item.predicted, "no --class: the predicted class is explained")
                #expect((0...1).contains(item.targetProbability) && item.targetProbability > 0)
                #expect(item.trueClass != nil, "split images know their class")
            }
        }
    }

    @Test("--class explains the class named, whatever was predicted")
    func namedClass() throws {
        let (scratch, model) = try trainedCNN()
        let output = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "saliency", "--split", "test", "--limit", "4",
                                                     "--class", "left", "--out", scratch.path("maps")]).explain()
        let report = try #require(output.attributionReport)
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

    @Test("--npy writes each raw map as float32 of the model input's shape")
    func numpyFiles() throws {
        let (scratch, model) = try trainedCNN()
        let out = scratch.path("maps")
        let output = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "integrated-gradients", "--split", "test",
                                                     "--limit", "2", "--steps", "8", "--npy", "--out", out]).explain()
        let report = try #require(output.attributionReport)
        for item in report.items {
            let file = try #require(item.files.first { $0.hasSuffix(".npy") })
            #expect(file == "\(item.image).integrated-gradients.npy")
            let map = try NumpyArray.read(contentsOf: URL(fileURLWithPath: out + "/" + file))
            #expect(map.shape == [1, 16, 16])
            #expect(map.scalars.contains { $0 != 0 } && map.scalars.contains { $0 < 0 } == map.scalars.contains { $0 < 0 })
            #expect(item.convergenceDelta != nil, "integrated gradients report their convergence delta")
        }
    }

    @Test("templates, nearest, units and deconvnet projections run from the CLI")
    func inspectionMethods() throws {
        let (scratch, model) = try trainedCNN()
        guard case .templates(let templates) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "templates",
                                                                                 "--out", scratch.path("t")]).explain() else {
            Issue.record("templates gave another report"); return
        }
        #expect(templates.kind == "filters" && templates.count == 4 && templates.faceLikeness == nil)
        #expect(templates.shown == [0, 1, 2, 3] && templates.bound > 0 && templates.faceLikenessProblem == nil)
        let filtersPage = try String(contentsOfFile: scratch.path("t/index.html"), encoding: .utf8)
        #expect(filtersPage.matches(of: /<img class=px src="data:image\/png;base64,/).count == 4 && filtersPage.contains("filter 3"),
                "every filter drawn once, captioned as on the web app's Templates page")

        guard case .nearest(let nearest) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "nearest", "--split", "test",
                                                                             "--k", "3", "--out", scratch.path("n")]).explain() else {
            Issue.record("nearest gave another report"); return
        }
        #expect(!nearest.items.isEmpty && nearest.items.allSatisfy { $0.neighbors.count == 3 && (0...100).contains($0.percentile) })
        #expect(nearest.items.allSatisfy { zip($0.neighbors, $0.neighbors.dropFirst()).allSatisfy { $0.distance <= $1.distance } })

        guard case .units(let units) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "units", "--layer", "relu1",
                                                                         "--top", "4", "--out", scratch.path("u")]).explain() else {
            Issue.record("units gave another report"); return
        }
        #expect(units.units.count == 4 && units.units.allSatisfy { $0.top.count == 4 } && units.receptiveField == 3)
        #expect(units.units.allSatisfy { zip($0.top, $0.top.dropFirst()).allSatisfy { $0.value >= $1.value } })

        guard case .units(let projected) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "deconvnet", "--layer", "pool1",
                                                                             "--max-units", "2", "--top", "2", "--out", scratch.path("d")]).explain() else {
            Issue.record("deconvnet --layer gave another report"); return
        }
        #expect(projected.projections && projected.units.count == 2)
        let noLayer = explainFailure(["--model", model, "--method", "units", "--out", scratch.path("u2")])
        #expect(noLayer?.contains("--layer") == true && noLayer?.contains("relu1") == true, "\(noLayer ?? "no error")")
        let badLayer = explainFailure(["--model", model, "--method", "units", "--layer", "conv9", "--out", scratch.path("u3")])
        #expect(badLayer?.contains("conv9") == true && badLayer?.contains("pool1") == true, "\(badLayer ?? "no error")")
    }

    @Test("templates of an MLP: the strongest voters of every class and the likeness, or why there is none without the data")
    func hiddenTemplates() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let model = scratch.path("mlp.safetensors")
        _ = try parse(TrainCommand.self, ["train", "--model", "mlp", "--hidden", "6", "--data", data, "--size", "8",
                                          "--epochs", "2", "--out", model]).train()
        func templates(_ out: String) throws -> TemplatesReport {
            guard case .templates(let report) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "templates",
                                                                                  "--out", scratch.path(out)]).explain() else {
                throw CLIError("templates gave another report")
            }
            return report
        }
        let report = try templates("t")
        #expect(report.kind == "hidden-units" && report.count == 6 && report.shown == Array(0..<6))
        #expect(report.votes.count == Pattern.allCases.count && report.votes.allSatisfy { $0.units.count == 5 && $0.weights.count == 5 })
        #expect(report.votes.allSatisfy { zip($0.weights, $0.weights.dropFirst()).allSatisfy { $0 >= $1 } }, "strongest voter first")
        let likeness = try #require(report.faceLikeness, "\(report.faceLikenessProblem ?? "no problem given")")
        #expect((-1...1).contains(likeness) && report.faceLikenessPerClass?.count == Pattern.allCases.count)
        let page = try String(contentsOfFile: scratch.path("t/index.html"), encoding: .utf8)
        #expect(page.contains(report.votes[0].class + " · its top voter") && page.contains("W2 = "))
        #expect(page.matches(of: #/<img class=px /#).count == report.shown.count + report.votes.map(\.units.count).reduce(0, +),
                "the grid and each class's voters, drawn on the one scale")

        // Without its data the templates are still drawn, and the report says why there is no likeness.
        try FileManager.default.removeItem(atPath: data)
        let alone = try templates("t2")
        #expect(alone.faceLikeness == nil && alone.faceLikenessProblem?.contains(data) == true, "\(alone.faceLikenessProblem ?? "no problem given")")
        #expect(FileManager.default.fileExists(atPath: scratch.path("t2/index.html")))
    }

    @Test("sanity and faithfulness report every applicable method; too few images is an error")
    func trustChecks() throws {
        let (scratch, model) = try trainedCNN()
        guard case .sanity(let run) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "sanity", "--samples", "4",
                                                                        "--retrain", "--out", scratch.path("s")]).explain() else {
            Issue.record("sanity gave another report"); return
        }
        #expect(run.sanity.randomisation.methods.count == AttributionMethod.allCases.count)
        #expect(run.sanity.randomisation.methods.contains { $0.verdict != nil })
        let data = try #require(run.dataRandomisation, "--retrain runs data randomisation")
        #expect((0...1).contains(data.shuffled.trainingAccuracy) && data.shuffled.rounds >= 1)
        #expect(data.methods.contains { $0.realVsControl != nil && $0.realVsShuffled != nil })
        #expect(FileManager.default.fileExists(atPath: scratch.path("s/report.json")))
        guard case .faithfulness(let faithfulness) = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "faithfulness",
                                                                                       "--samples", "4", "--out", scratch.path("f")]).explain() else {
            Issue.record("faithfulness gave another report"); return
        }
        #expect(faithfulness.methods.count == AttributionMethod.allCases.count)
        let tooFew = parseFailure(["explain", "--model", model, "--method", "sanity", "--samples", "1", "--out", scratch.path("s2")])
            ?? explainFailure(["--model", model, "--method", "sanity", "--samples", "1", "--out", scratch.path("s2")])
        #expect(tooFew?.contains("1") == true, "\(tooFew ?? "no error")")
    }
}
