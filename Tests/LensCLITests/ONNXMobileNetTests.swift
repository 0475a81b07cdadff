import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensStudio
import LensTestSupport
import Testing
@testable import LensCLI

/// torchvision's MobileNetV2 (width 0.25, 3x32x32, opset 11: depthwise convolutions, ReLU6 exported
/// as Clip, inverted residuals) through the report and the web app's explanation, as a user opens it.
@Suite("An exported MobileNetV2 in the report and the web app")
struct ONNXMobileNetTests {
    static let mobilenet = URL(fileURLWithPath: ONNXModelTests.resnet).deletingLastPathComponent()
        .appendingPathComponent("mobilenet.onnx").path
    /// The last 4-D node before the global average pooling: features.18's ReLU6.
    static let lastBlock = "/features/features.18/features.18.2/Clip"

    @Test("Grad-CAM's default layer is the last 4-D node before global pooling")
    func gradCAMDefaultLayer() throws {
        let (scratch, names, data) = try ONNXModelTests().scratchWithData()
        let output = try parse(ExplainCommand.self, ["explain", "--model", Self.mobilenet, "--class-names", names, "--normalize", "imagenet",
                                                     "--method", "gradcam", "--image", data + "/cat/0.png", "--out", scratch.path("cam")]).explain()
        #expect(output.attributionReport?.settings["layer"] == Self.lastBlock)
        let layers = try parse(ExplainCommand.self, ["explain", "--model", Self.mobilenet, "--list-layers"]).imageLayers().layers
        let pooling = try #require(layers.firstIndex { $0.name == "/GlobalAveragePool" })
        #expect(layers[pooling - 1].name == Self.lastBlock)
    }

    @Test("report: units, the maps of every method and both trust checks, with finite numbers and colour images")
    func report() throws {
        let (scratch, names, data) = try ONNXModelTests().scratchWithData()
        let command = try parse(ReportCommand.self, ["report", "--model", Self.mobilenet, "--data", data, "--normalize", "imagenet",
                                                     "--class-names", names, "--quick", "--out", scratch.path("report")])
        // What `run()` does, kept in memory.
        let modelFile = try command.target.loadModel()
        guard case .network(let network) = modelFile.model else { Issue.record("not a network"); return }
        let dataset = try StudioDataset(for: modelFile, named: command.target.data)
        let report = ModelReport(modelFile: modelFile, modelName: "mobilenet.onnx", datasetName: dataset.source.name,
                                 images: dataset.data.images, labels: dataset.data.labels, split: ("test", dataset.indices(.test)))
        let (overview, scores) = try report.overview()
        #expect(scores.n == dataset.indices(.test).count && scores.n > 0)
        let pages = [overview] + (try report.explanationPages(trainIndices: dataset.split.train, validationIndices: dataset.split.validation,
                                                              budget: .quick))
        let byName = Dictionary(pages.map { ($0.fileName, $0.body) }, uniquingKeysWith: { first, _ in first })
        for page in ["index.html", "units.html", "maps.html", "trust.html"] { #expect(byName[page] != nil, "\(pages.map(\.fileName))") }
        let units = byName["units.html"] ?? ""
        #expect(units.contains("/features/features.0/features.0.2/Clip") && units.contains("data:image/png"), "the first block's units, drawn")
        let methods = AttributionMethod.available(for: network.architecture)
        #expect(methods.count == AttributionMethod.allCases.count, "every method applies to a MobileNet: \(methods)")
        for method in methods {
            #expect(byName["maps.html"]?.contains(HTML.escape(method.title)) == true, "maps: \(method.title)")
            #expect(byName["trust.html"]?.contains(HTML.escape(method.title)) == true, "trust: \(method.title)")
        }
        for page in pages {
            #expect(page.body.range(of: #"\b(nan|NaN|-?inf|-?Infinity)\b"#, options: .regularExpression) == nil, "\(page.fileName): a number is not finite")
            // Grad-CAM's layer is 1x1 on 32x32 images: its map may be flat ("all values equal"), never NaN.
            #expect(!page.body.contains("no map: NaN"), "\(page.fileName): a method's map is not a number")
        }
        // The images are drawn in colour: the maps page's first image is an RGB PNG.
        let uri = try #require(Self.pngURIs(in: byName["maps.html"] ?? "").first)
        #expect(Self.colorType(uri) == 2, "an RGB PNG (colour type 2), not gray")
        _ = scratch
    }

    @Test("the web app's explanation (/api/explain): every map, finite, of a colour input; units of a depthwise layer")
    func explanation() async throws {
        let (scratch, names, data) = try ONNXModelTests().scratchWithData()
        let command = try parse(ServeCommand.self, ["serve", "--model", Self.mobilenet, "--data", data, "--class-names", names,
                                                    "--normalize", "imagenet"])
        let model = try #require(try command.servedModel())
        let library = ModelLibrary(directory: URL(fileURLWithPath: scratch.path("models")))
        library.add(model, id: "mobilenet", source: DatasetSource(argument: data))
        var request = ExplanationRequest()
        request.includeRaw = true
        let image = try Data(contentsOf: URL(fileURLWithPath: data + "/frog/3.png"))
        let explanation = try library.explanation(nil, image: image, request: request)
        #expect(explanation.maps.map(\.method) == AttributionMethod.allCases.map(\.rawValue))
        #expect(explanation.shape == [3, 32, 32])
        for map in explanation.maps {
            // Grad-CAM's layer is 1x1 at 32x32: its map is one value, and saying so is the right answer.
            let flat = map.method == "gradcam" && map.problem?.contains("all values equal") == true
            #expect((map.problem == nil && map.image != nil) || flat, "\(map.method): \(map.problem ?? "")")
            let raw = map.raw ?? []
            #expect(raw.count == 3 * 32 * 32 && raw.allSatisfy(\.isFinite) && map.maxMagnitude.isFinite, "\(map.method)")
            // Grad-CAM's 1x1 layer may weigh to a flat zero map (ReLU of a negative sum); every other map has signal.
            if !map.method.contains("gradcam") { #expect(raw.contains { $0 != 0 } && map.maxMagnitude > 0, "\(map.method)") }
        }
        #expect(explanation.maps.first { $0.method == "gradcam" }?.settings["layer"] == Self.lastBlock)
        #expect(Self.colorType(explanation.input) == 2, "the input is shown in colour")
        // Units of a depthwise convolution's ReLU6, found over the model's images.
        let depthwise = "/features/features.2/conv/conv.1/conv.1.2/Clip"
        #expect(try library.unitLayers(nil).layers.contains { $0.name == depthwise })
        var gallery: UnitGallery?
        for _ in 0..<6000 where gallery == nil {
            gallery = try library.unitGallery(nil, layer: depthwise)
            if gallery == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let units = try #require(gallery)
        #expect(!units.units.isEmpty)
    }

    static func pngURIs(in html: String) -> [String] {
        html.matches(of: /data:image\/png;base64,[A-Za-z0-9+\/=]+/).map { String($0.output) }
    }

    /// The IHDR colour type of a PNG data URI (0 gray, 2 RGB, 6 RGBA); nil if it is not one.
    static func colorType(_ uri: String) -> UInt8? {
        guard let comma = uri.firstIndex(of: ","), let png = Data(base64Encoded: String(uri[uri.index(after: comma)...])),
              png.count > 26 else { return nil }
        return png[png.startIndex + 25]
    }
}
