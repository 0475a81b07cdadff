import Foundation
import LensData
import LensExplain
import LensStudio
import LensTensor
import LensTestSupport
import Testing
@testable import LensCLI

/// An ONNX classifier on every command that opens a model: --list-layers, --normalize and
/// --class-names read by one set of flags, and a bad class-names file told in one line.
@Suite("ONNX models on every command: layers, normalisation presets, class names")
struct ONNXModelTests {
    /// The ResNet of BasicBlocks (5 classes, 3x32x32) the ONNX conformance tests check against PyTorch.
    static let resnet = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("LensONNXTests/Fixtures/resnet.onnx").path
    static let classes = ["bird", "cat", "deer", "dog", "frog"]

    /// names.txt for the ResNet and a folder of its five classes (tinted noise, 6 RGB images each).
    func scratchWithData() throws -> (ScratchFolder, names: String, data: String) {
        let scratch = try ScratchFolder()
        let names = try scratch.write("names.txt", Data((Self.classes.joined(separator: "\n") + "\n").utf8))
        var generator = SeededGenerator(seed: 17)
        for (index, name) in Self.classes.enumerated() {
            for item in 0..<6 {
                var pixels: [Float] = []
                for _ in 0..<(40 * 40) {
                    let noise = Float.random(in: 0...0.5, using: &generator)
                    pixels += [noise + (index % 2 == 0 ? 0.4 : 0), noise + Float(index) * 0.1, noise]
                }
                let image = Image(width: 40, height: 40, channels: 3, pixels: pixels)
                try scratch.write("photos/\(name)/\(item).png", try PNGEncoder.encode(image))
            }
        }
        return (scratch, names, scratch.path("photos"))
    }

    @Test("--list-layers: every node with an image-shaped output, in graph order, with its shape; constants left out")
    func listLayers() throws {
        let layers = try parse(ExplainCommand.self, ["explain", "--model", Self.resnet, "--list-layers"]).imageLayers()
        #expect(layers.input == [3, 32, 32])
        #expect(layers.layers.first == ImageLayers.Layer(name: "/conv1/Conv", shape: [8, 32, 32]))
        #expect(layers.layers.contains(ImageLayers.Layer(name: "/maxpool/MaxPool", shape: [8, 16, 16])))
        #expect(layers.layers.last == ImageLayers.Layer(name: "/avgpool/GlobalAveragePool", shape: [16, 1, 1]))
        #expect(layers.layers.allSatisfy { $0.shape.count == 3 })
        #expect(!layers.layers.contains { $0.name.contains("Flatten") || $0.name.contains("Gemm") }, "2-D outputs are not listed")
        let names = layers.layers.map(\.name)
        let block = try #require(names.firstIndex(of: "/layer1/layer1.0/relu/Relu"))
        #expect(names.firstIndex(of: "/layer1/layer1.0/Add").map { $0 > block } == true, "graph order: the residual sum after its branch")
        #expect(layers.summary.split(separator: "\n").dropFirst().first?.split(separator: " ") == ["8×32×32", "/conv1/Conv"])
        // The normalisation's constants are not listed; its layers are, before the model's own.
        let normalized = try parse(ExplainCommand.self, ["explain", "--model", Self.resnet, "--list-layers", "--normalize", "imagenet"]).imageLayers()
        #expect(normalized.layers.prefix(2).map(\.name) == ["normalize/center", "normalize"])
        #expect(!normalized.layers.contains { $0.name.hasPrefix("normalize/mean") || $0.name.hasPrefix("normalize/std") })
    }

    @Test("--method units without --layer names only image-shaped layers, never the normalisation's constants, and points to --list-layers")
    func unitsWithoutLayer() throws {
        let (scratch, names, data) = try scratchWithData()
        let message = try #require(failureMessage {
            _ = try parse(ExplainCommand.self, ["explain", "--model", Self.resnet, "--class-names", names, "--normalize", "imagenet",
                                                "--data", data, "--method", "units", "--out", scratch.path("units")]).explain()
        })
        #expect(message.contains("--method units needs --layer: one of normalize/center, normalize, /conv1/Conv"), "\(message)")
        #expect(message.contains("--list-layers") && message.contains(" in all)") && !message.contains("normalize/mean"), "\(message)")
    }

    @Test("--list-layers refuses --method and --out; without it both are required")
    func listLayersArguments() {
        #expect(parseFailure(["explain", "--model", Self.resnet, "--list-layers", "--method", "saliency"])?.contains("--list-layers") == true)
        #expect(parseFailure(["explain", "--model", Self.resnet, "--out", "x"])?.contains("--method") == true)
        #expect(parseFailure(["explain", "--model", Self.resnet, "--method", "saliency"])?.contains("--out") == true)
    }

    @Test("predict: --class-names names the classes, --normalize imagenet changes what the model sees")
    func predict() throws {
        let (scratch, names, data) = try scratchWithData()
        let image = data + "/cat/0.png"
        let plain = try parse(PredictCommand.self, ["predict", "--model", Self.resnet, "--top", "5", image]).predict()
        #expect(plain[0].top.allSatisfy { $0.class.hasPrefix("class ") }, "no names: numbered")
        let named = try parse(PredictCommand.self, ["predict", "--model", Self.resnet, "--top", "5", "--class-names", names,
                                                    "--normalize", "imagenet", image]).predict()
        #expect(Set(named[0].top.map(\.class)) == Set(Self.classes))
        let plainByIndex = plain[0].top.map { ($0.class.dropFirst(6), $0.probability) }.sorted { $0.0 < $1.0 }.map(\.1)
        let namedByIndex = Self.classes.map { name in named[0].top.first { $0.class == name }?.probability ?? -1 }
        #expect(zip(plainByIndex, namedByIndex).map { abs($0 - $1) }.max()! > 1e-4, "the normalisation reached the model")
        _ = scratch
    }

    @Test("evaluate and report: the folder's classes match --class-names; the report is written")
    func evaluateAndReport() throws {
        let (scratch, names, data) = try scratchWithData()
        let evaluation = try parse(EvaluateCommand.self, ["evaluate", "--model", Self.resnet, "--data", data, "--split", "all",
                                                          "--normalize", "imagenet", "--class-names", names]).evaluate()
        #expect(evaluation.classes == Self.classes)
        #expect(evaluation.n == 30)
        // Without names the folder's classes are not the model's: one line that says so.
        let unnamed = failureMessage { _ = try parse(EvaluateCommand.self, ["evaluate", "--model", Self.resnet, "--data", data]).evaluate() }
        #expect(unnamed?.contains("class 0") == true && unnamed?.contains("bird") == true)
        let out = scratch.path("report")
        try parse(ReportCommand.self, ["report", "--model", Self.resnet, "--data", data, "--normalize", "imagenet",
                                       "--class-names", names, "--quick", "--out", out]).run()
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("frog"))
    }

    @Test("explain: --class-names and --normalize on an attribution run")
    func explain() throws {
        let (scratch, names, data) = try scratchWithData()
        let output = try parse(ExplainCommand.self, ["explain", "--model", Self.resnet, "--method", "gradcam", "--image", data + "/dog/1.png",
                                                     "--class", "dog", "--class-names", names, "--normalize", "imagenet",
                                                     "--out", scratch.path("maps")]).explain()
        let report = try #require(output.attributionReport)
        #expect(report.items.first?.target == "dog")
    }

    @Test("serve --model: the import flags reach the served model; without --model they are refused")
    func serve() throws {
        let (scratch, names, _) = try scratchWithData()
        defer { _ = scratch }
        let command = try parse(ServeCommand.self, ["serve", "--model", Self.resnet, "--class-names", names, "--normalize", "imagenet"])
        let model = try #require(try command.servedModel())
        #expect(model.provenance.classNames == Self.classes)
        #expect(parseFailure(["serve", "--class-names", names]) == "--class-names needs --model: it says how to read the model file")
    }

    @Test("a residual CNN (the ResNet's Add nodes): every map, units at a residual sum, sanity, faithfulness and the report")
    func residualNetworkEndToEnd() throws {
        let (scratch, names, data) = try scratchWithData()
        let model = ["--model", Self.resnet, "--class-names", names, "--normalize", "imagenet", "--data", data]
        let image = data + "/cat/2.png"
        for method in AttributionMethod.allCases {
            let output = try parse(ExplainCommand.self, ["explain"] + model + ["--method", method.rawValue, "--image", image,
                                                                               "--npy", "--out", scratch.path("maps-\(method.rawValue)")]).explain()
            let report = try #require(output.attributionReport, "\(method.rawValue)")
            #expect(report.items.count == 1 && report.items[0].targetProbability > 0, "\(method.rawValue)")
            let files = try FileManager.default.contentsOfDirectory(atPath: report.directory)
            #expect(files.contains { $0.hasSuffix(".npy") } && files.contains("index.html"), "\(method.rawValue): \(files)")
        }
        // Grad-CAM at a residual sum, by its ONNX name.
        let sum = "/layer1/layer1.0/Add"
        let cam = try parse(ExplainCommand.self, ["explain"] + model + ["--method", "gradcam", "--layer", sum, "--image", image,
                                                                        "--out", scratch.path("cam")]).explain()
        #expect(cam.attributionReport?.settings.values.contains(sum) == true, "\(cam.attributionReport?.settings ?? [:])")
        guard case .units(let units) = try parse(ExplainCommand.self, ["explain"] + model + ["--method", "units", "--layer", sum,
                                                                                              "--out", scratch.path("units")]).explain() else {
            Issue.record("units gave another output"); return
        }
        #expect(units.layer == sum && units.imagesSearched > 0 && units.receptiveField.map { $0 > 1 } == true)
        #expect(!units.units.isEmpty && units.units.allSatisfy { !$0.top.isEmpty || $0.firingImages == 0 })
        guard case .sanity(let sanity) = try parse(ExplainCommand.self, ["explain"] + model + ["--method", "sanity", "--samples", "2",
                                                                                                "--out", scratch.path("sanity")]).explain() else {
            Issue.record("sanity gave another output"); return
        }
        let randomised = sanity.sanity.randomisation.methods.filter { $0.notApplicable == nil }
        #expect(randomised.count >= 5 && randomised.allSatisfy { !$0.cascading.isEmpty }, "\(randomised.map(\.method))")
        guard case .faithfulness(let faithfulness) = try parse(ExplainCommand.self, ["explain"] + model + ["--method", "faithfulness", "--samples", "2",
                                                                                                            "--out", scratch.path("faith")]).explain() else {
            Issue.record("faithfulness gave another output"); return
        }
        #expect(faithfulness.methods.filter { $0.notApplicable == nil && !$0.baselines.isEmpty }.count >= 5)
        // The report's pages: units (a CNN's report has them instead of templates), mistakes' maps and the trust tables.
        let out = scratch.path("report")
        try parse(ReportCommand.self, ["report"] + model + ["--quick", "--out", out]).run()
        let pages = try FileManager.default.contentsOfDirectory(atPath: out)
        for page in ["index.html", "units.html", "embedding.html", "maps.html", "trust.html"] { #expect(pages.contains(page), "\(pages)") }
        let units_ = try String(contentsOfFile: out + "/units.html", encoding: .utf8)
        #expect(units_.contains("/layer"), "the units page names the ONNX layers")
        // issue 20 for an ONNX CNN: each drawn unit's synthetic image with its path check, and every layer's embedding with the curve
        #expect(units_.contains("feature visualisation of unit") && units_.contains("path (r "), "synthetic images and path checks")
        let embedding = try String(contentsOfFile: out + "/embedding.html", encoding: .utf8)
        #expect(embedding.contains("How well each layer separates the classes") && embedding.contains("id=\"embedding-pixels\""))
        let trust = try String(contentsOfFile: out + "/trust.html", encoding: .utf8)
        #expect(trust.contains("<table") && !trust.contains("no map: NaN"), "the checks drew their maps")
    }

    @Test("serve --model m.onnx without --data: uploaded images get predictions and maps; what needs data says so")
    func serveWithoutData() async throws {
        let (scratch, _, data) = try scratchWithData()
        let command = try parse(ServeCommand.self, ["serve", "--model", Self.resnet])
        let model = try #require(try command.servedModel())
        #expect(ServeCommand.noDataNote(Self.resnet).contains("give --data FOLDER"))
        let library = ModelLibrary(directory: URL(fileURLWithPath: scratch.path("models")))
        library.add(model, id: "resnet")
        var evaluation = "evaluating"
        for _ in 0..<600 where evaluation == "evaluating" {
            try await Task.sleep(for: .milliseconds(50))
            evaluation = library.state.models.first?.evaluation ?? "missing"
        }
        // Not the working folder read as a dataset: the model records none.
        #expect(evaluation == ModelLibrary.noDataset.description)
        let image = try Data(contentsOf: URL(fileURLWithPath: data + "/dog/1.png"))
        let explanation = try library.explanation(nil, image: image, request: ExplanationRequest())
        #expect(explanation.maps.count == AttributionMethod.allCases.count)
        for map in explanation.maps { #expect(map.problem == nil && map.image != nil, "\(map.method): \(map.problem ?? "")") }
        #expect(explanation.prediction.classes.count == 5)
        #expect(explanation.trustStatus == ModelLibrary.noDataset.description)
        #expect(explanation.nearestStatus == ModelLibrary.noDataset.description)
        #expect(throws: ModelLibrary.noDataset) { try library.trust(nil) }
    }

    @Test("a bad --class-names file: wrong count, empty, unreadable, each one line naming the flag")
    func badClassNames() throws {
        let (scratch, _, _) = try scratchWithData()
        let three = try scratch.write("three.txt", Data("a\nb\nc\n".utf8))
        let empty = try scratch.write("empty.txt", Data())
        let binary = try scratch.write("binary.txt", Data([0xff, 0xfe, 0x00, 0xc3]))
        let folder = try scratch.makeFolder("a-folder")
        func message(_ file: String) -> String? {
            failureMessage { _ = try parse(PredictCommand.self, ["predict", "--model", Self.resnet, "--class-names", file, "x.png"]).predict() }
        }
        #expect(message(three) == "--class-names \(three) lists 3 names but \(Self.resnet) has 5 outputs: give one name per output, one a line")
        #expect(message(empty) == "--class-names \(empty): lists 0 class names; a classifier needs at least 2, one per line")
        #expect(message(scratch.path("missing.txt")) == "--class-names \(scratch.path("missing.txt")): no such file")
        for unreadable in [binary, folder] {
            let line = try #require(message(unreadable))
            #expect(line.hasPrefix("--class-names \(unreadable): cannot be read"), "\(line)")
            #expect(!line.contains("\n") && !line.contains("NSCocoaErrorDomain"))
        }
    }
}
