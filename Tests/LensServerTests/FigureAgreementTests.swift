import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor
import LensStudio
import Testing

/// Each figure is built once, in LensStudio; the report's pages, `lens explain`'s output folder
/// (its figure.json, what the command writes) and the JSON API only draw it. For the same model and
/// image, the three must give the same numbers.
@Suite("the report, lens explain and the API give one figure the same numbers")
struct FigureAgreementTests {
    /// Reads both the API's answers and figure.json, whichever key style they use.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// What `lens explain` does with `configure`d flags, run on the server's model `id`: its folder.
    static func explain(_ server: TestServer, model id: String, configure: (inout ExplainJob) -> Void,
                        run: (ExplainSession) throws -> Void) throws -> URL {
        let out = server.directory.appendingPathComponent("explain-\(UUID().uuidString)")
        var job = ExplainJob(modelFile: try server.library.entry(id).model, modelName: id, out: out)
        configure(&job)
        try run(ExplainSession(job))
        return out
    }

    static func figure<T: Decodable>(_ type: T.Type, in folder: URL) throws -> T {
        try decoder.decode(T.self, from: Data(contentsOf: folder.appendingPathComponent("figure.json")))
    }

    static func ready(_ server: TestServer, _ method: String, _ path: String, body: Data? = nil) async throws -> RawHTTP.Answer {
        try await TestServer.settle(server.http, method, path, body: body)
    }

    /// The server's training and test images as the report's pages read them.
    static func pageData(_ server: TestServer) -> PageData {
        let dataset = server.dataset
        var data = PageData(classNames: dataset.data.classNames, trainImages: dataset.trainingSet.images, trainLabels: dataset.trainingSet.labels,
                            testImages: dataset.testSet.images, testLabels: dataset.testSet.labels)
        // As the report and the demo give it: "unusual" is calibrated on the validation split.
        if !dataset.split.validation.isEmpty { data.validationImages = dataset.images(dataset.split.validation) }
        return data
    }

    static func network(_ server: TestServer, _ id: String) throws -> Network {
        guard case .network(let network) = try server.library.entry(id).model.model else { throw StudioError(.notApplicable, "\(id) is not a network") }
        return network
    }

    @Test("units: one unit's activations and projection scale agree across the report, lens explain and the API")
    func units() async throws {
        let server = try await TestServer.shared.value
        let network = try Self.network(server, "cnn")
        let layer = try #require(UnitLayer.all(in: network.architecture).first { $0.kind == .convolutional }).name

        let answer = try await Self.ready(server, "GET", "/api/units/\(layer)/0?model=cnn")
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(UnitDetail.self, from: answer.body)

        let folder = try Self.explain(server, model: "cnn", configure: { $0.maxUnits = 1 }) { _ = try $0.units(layer: layer, projections: true) }
        let cli = try Self.figure(UnitsFigure.self, in: folder)
        let unit = try #require(cli.units.first)

        #expect(api.scaleRule == UnitDetail.scaleRule && cli.scaleRule == UnitDetail.scaleRule, "one scale rule")
        #expect(unit.activations.map(\.value) == api.activations.map(\.value), "the same top activations")
        #expect(unit.activations.map(\.datasetIndex) == api.activations.map(\.datasetIndex), "of the same training images")
        #expect(unit.deconvnetBound == api.deconvnetBound && unit.guidedBound == api.guidedBound && api.deconvnetBound > 0)
        #expect(unit.activations.map(\.deconvnet) == api.activations.map(\.deconvnet), "the very same pictures")

        // The report's units page: "a = value" under each patch of the layer's unit 0, in the same order.
        var budget = PageBudget.quick
        budget.unitsPerLayer = 1
        let page = try ExplanationPages.unitsPage(network, name: "CNN", data: Self.pageData(server), budget: budget)
        let section = try #require(page.body.components(separatedBy: "<h3>\(layer) unit 0</h3>").dropFirst().first)
            .components(separatedBy: "</section>")[0]
        let shown = section.matches(of: /a = ([^<]+)</).map { String($0.1) }
        #expect(shown == api.activations.map { MapNumber.format($0.value) }, "\(shown)")
        #expect(page.body.contains(HTML.escape(UnitDetail.scaleRule)), "the report says the rule")
    }

    @Test("feature visualisation: a unit's images, ratios and path numbers agree across the report, lens explain and the API")
    func featureVis() async throws {
        let server = try await TestServer.shared.value
        let network = try Self.network(server, "cnn")
        let layer = try #require(UnitLayer.all(in: network.architecture).first { $0.kind == .convolutional }).name
        let data = Self.pageData(server)
        // the first unit that fires, as the report's units page draws it
        let found = try LayerUnits(network: network, layer: layer, images: data.trainImages)
        let units = try UnitsFigure(model: "cnn", network: network, found: found, images: data.trainImages, labels: data.trainLabels,
                                    classNames: data.classNames, described: "the training images", limit: 1)
        let unit = try #require(units.units.first).unit

        let answer = try await Self.ready(server, "GET", "/api/units/\(layer)/\(unit)/feature-vis?model=cnn")
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(FeatureVisFigure.self, from: answer.body)
        let folder = try Self.explain(server, model: "cnn", configure: { $0.layer = layer; $0.unit = unit }) { _ = try $0.featureVis() }
        let cli = try Self.figure(FeatureVisFigure.self, in: folder)
        let report = try #require(try ExplanationPages.unitFeatureVis(network, name: "cnn", figure: units, found: found, data: data,
                                                                      settings: FeatureVisSettings())[unit])

        #expect(api.objective == cli.objective && api.settings == cli.settings && report.settings == cli.settings)
        for figure in [api, report] {
            #expect(figure.images.map(\.reached) == cli.images.map(\.reached), "the same ascent reaches the same value")
            #expect(figure.topNaturalActivation == cli.topNaturalActivation && figure.images.map(\.activationRatio) == cli.images.map(\.activationRatio))
            #expect(figure.images.map(\.pathSimilarity) == cli.images.map(\.pathSimilarity)
                        && figure.images.map(\.pathBaseline) == cli.images.map(\.pathBaseline) && figure.images.map(\.badge) == cli.images.map(\.badge))
            #expect(figure.images.map(\.image) == cli.images.map(\.image), "the very same picture")
        }
        #expect(api.natural.map(\.datasetIndex) == cli.natural.map(\.datasetIndex), "beside the same natural images")
        // the report's units page prints those numbers under the synthetic image
        let section = ExplanationPages.unitsSection(units, featureVis: [unit: report])
        let image = try #require(cli.images.first)
        #expect(section.contains(image.ratioWords) && section.contains(HTML.escape(image.pathFigures)) && section.contains(HTML.escape(image.badge)),
                "\(image.activationRatio) \(image.pathWords)")
    }

    @Test("embedding: each layer's k-NN accuracy, trustworthiness and map agree across the report, lens explain and the API")
    func embedding() async throws {
        let server = try await TestServer.shared.value
        let answer = try await Self.ready(server, "GET", "/api/embedding?model=cnn")
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(EmbeddingFigure.self, from: answer.body)
        let folder = try Self.explain(server, model: "cnn", configure: {
            $0.split = .test
            $0.allLayers = true
            $0.embedding.tsne = api.settings.tsne
        }) { _ = try $0.embedding() }
        let cli = try Self.figure(EmbeddingFigure.self, in: folder)
        let report = try ExplanationPages.embeddingReportPage(try Self.network(server, "cnn"), name: "cnn", data: Self.pageData(server),
                                                              budget: .full)

        #expect(api.layers.map(\.layer) == cli.layers.map(\.layer) && api.layers.first?.layer == "pixels")
        #expect(api.layers.map(\.knnAccuracy) == cli.layers.map(\.knnAccuracy) && api.layers.map(\.trustworthiness) == cli.layers.map(\.trustworthiness))
        #expect(api.layers.map(\.tsne) == cli.layers.map(\.tsne) && api.layers.map(\.pca) == cli.layers.map(\.pca), "the same maps")
        #expect(api.datasetIndices == cli.datasetIndices && api.predictions == cli.predictions && api.classColors == cli.classColors)
        #expect(api.thumbnails.count == api.labels.count && cli.thumbnails.isEmpty, "pictures for the app's hover only")
        for layer in api.layers {
            #expect(report.body.contains(String(format: "k-NN accuracy %.3f, trustworthiness %.3f", layer.knnAccuracy, layer.trustworthiness)),
                    "\(layer.layer)")
        }
    }

    @Test("nearest images: distances and neighbours agree across the report, lens explain and the API")
    func nearest() async throws {
        let server = try await TestServer.shared.value
        let faceFile = server.directory.appendingPathComponent("face-\(UUID().uuidString).pgm")
        let face = try TestServer.faceFile(person: 4, image: 3)
        try face.write(to: faceFile)

        let answer = try await Self.ready(server, "POST", "/api/nearest?model=cnn", body: face)
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(NearestImages.self, from: answer.body)

        let folder = try Self.explain(server, model: "cnn", configure: { $0.imagePaths = [faceFile.path] }) { _ = try $0.nearest() }
        let cli = try #require(try Self.figure(NearestFigure.self, in: folder).items.first).nearest
        #expect(cli.neighbours.map(\.index) == api.neighbours.map(\.index) && cli.neighbours.map(\.distance) == api.neighbours.map(\.distance))
        #expect(cli.percentile == api.percentile && cli.unusual == api.unusual && cli.unusualAbove == api.unusualAbove)

        // The report's nearest section shows test image 0 first: lens explain on that image gives its figures.
        let split = try Self.explain(server, model: "cnn", configure: { $0.split = .test; $0.limit = 1 }) { _ = try $0.nearest() }
        let first = try #require(try Self.figure(NearestFigure.self, in: split).items.first).nearest
        let html = try ExplanationPages.nearestEvidenceSection(try Self.network(server, "cnn"), name: "CNN", data: Self.pageData(server),
                                                               budget: .quick)
        let row = try #require(html.components(separatedBy: "test image 0</b>").dropFirst().first).components(separatedBy: "</section>")[0]
        #expect(row.contains("nearest d = \(MapNumber.format(first.neighbours[0].distance))") && row.contains("percentile \(String(format: "%.0f", first.percentile))"),
                "\(row.prefix(300))")
        let distances = row.matches(of: /<small>d = ([^<]+)</).map { String($0.1) }
        #expect(distances == first.neighbours.map { MapNumber.format($0.distance) }, "\(distances)")
    }

    @Test("trust: each method's verdict and figures agree across the report, lens explain and the API")
    func trust() async throws {
        let server = try await TestServer.shared.value
        let answer = try await Self.ready(server, "GET", "/api/trust?model=softmax")
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(ModelTrust.self, from: answer.body)

        let budget = PageBudget.full
        let folder = try Self.explain(server, model: "softmax", configure: { $0.trust = budget.trust; $0.attribution = budget.attribution }) {
            _ = try $0.sanity()
        }
        let cli = try Self.figure(TrustSummary.self, in: folder).summary
        let applicable = api.methods.filter { $0.record.randomisation != nil }
        #expect(!applicable.isEmpty)
        for method in applicable {
            let row = try #require(cli.first { $0.method == method.method }, "\(method.method)")
            #expect(row.verdict == method.verdict, "\(method.method): randomisation verdict")
            #expect(row.spearman.map { Float($0) } == method.record.randomisation?.topStepSpearman.map { Float($0) }, "\(method.method)")
        }

        // The report's trust page lists the same verdicts in the same words.
        let network = try Self.network(server, "softmax")
        let figures = try ExplanationPages.trustFigures(network, data: Self.pageData(server), budget: budget.fitted(to: network))
        let page = try ExplanationPages.trustPage(figures, name: "softmax", data: Self.pageData(server))
        for method in api.methods {
            #expect(page.body.contains("data-state=\(method.standing)>\(method.standing)</span> <b>\(HTML.escape(method.title))</b> \(HTML.escape(method.words))</summary>"),
                    "\(method.method): \(method.standing) · \(method.words)")
            #expect(page.body.contains("<p class=note>\(HTML.escape(method.line)) · "), "\(method.method): its figures · \(method.line)")
        }
    }

    @Test("templates: likeness, smoothness and each class's r agree across the report, lens explain (figure.json, --json, what it prints) and the API",
          arguments: ["softmax", "mlp"])
    func templates(model id: String) async throws {
        let server = try await TestServer.shared.value
        let answer = try await Self.ready(server, "GET", "/api/templates?model=\(id)")
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(TemplatesFigure.self, from: answer.body)
        let likeness = try #require(api.likeness, "\(api.likenessProblem ?? "no likeness")")
        let smoothness = try #require(api.smoothness)

        // lens explain --method templates: figure.json, its --json (StudioJSON, as the command prints it) and its summary lines.
        var report: TemplatesReport?
        let folder = try Self.explain(server, model: id, configure: { _ in }) { report = try $0.templates() }
        let printed = try #require(report)
        let cli = try Self.figure(TemplatesFigure.self, in: folder)
        let json = try Self.decoder.decode(TemplatesJSON.self, from: Data(try StudioJSON.text(printed).utf8))

        #expect(cli.likeness?.perClass == likeness.perClass && cli.smoothness?.perClass == smoothness.perClass, "figure.json")
        #expect(cli.likeness?.label == likeness.label && cli.bound == api.bound && cli.grid == api.grid)
        #expect(json.faceLikeness == likeness.mean && json.faceLikenessPerClass == likeness.perClass, "--json: face_likeness")
        #expect(json.smoothness == smoothness.mean && json.smoothnessPerClass == smoothness.perClass, "--json: smoothness")
        #expect(json.likenessLabel == likeness.label && json.bound == api.bound && json.shown == api.grid)
        #expect(printed.summary.contains("\(likeness.label) \(String(format: "%.3f", likeness.mean))"), "\(printed.summary)")
        #expect(printed.summary.contains("smoothness \(String(format: "%.3f", smoothness.mean))"), "\(printed.summary)")

        // The report's templates section: the two headlines and each class's r, where it shows them.
        var data = Self.pageData(server)
        data.onFaces = true
        let html = try ExplanationPages.templatesSection(try Self.network(server, id), name: id, accuracy: 0, data: data)
        let headlines = html.matches(of: /<p class=headline>[^<]*<b>([^<]+)<\/b>/).map { String($0.1) }
        #expect(headlines == [likeness.mean, smoothness.mean].map { String(format: "%.2f", $0) }, "\(headlines)")
        let shown = html.matches(of: /r = (-?[0-9.]+)/).map { String($0.1) }
        let classes = api.kind == TemplateKind.classWeights.rawValue ? api.grid : api.votes.map(\.classIndex)
        #expect(!classes.isEmpty && shown == classes.map { String(format: "%.2f", likeness.perClass[$0]) }, "\(shown)")
    }

    @Test("attribution: the same map, scale and picture from lens explain (--json, .npy), the report's figure and the API",
          arguments: [AttributionMethod.saliency, .integratedGradients])
    func attribution(method: AttributionMethod) async throws {
        let server = try await TestServer.shared.value
        let faceFile = server.directory.appendingPathComponent("face-\(UUID().uuidString).pgm")
        let face = try TestServer.faceFile(person: 12, image: 5)
        try face.write(to: faceFile)

        // The API, with the raw map.
        let answer = try await server.http.send("POST", "/api/explain?model=cnn&method=\(method.rawValue)&raw=1", body: face)
        #expect(answer.status == 200, "\(answer.text)")
        let api = try Self.decoder.decode(Explanation.self, from: answer.body)
        let map = try #require(api.maps.first)
        let scale = try #require(api.groupScales.first { $0.group == map.scaleGroup })

        // lens explain --npy: its summary (what --json prints), figure.json and the raw map.
        var report: AttributionReport?
        let folder = try Self.explain(server, model: "cnn", configure: { $0.imagePaths = [faceFile.path]; $0.npy = true }) {
            report = try $0.attribution(method)
        }
        let printed = try #require(report?.items.first)
        let cli = try #require(try Self.figure(AttributionFigure.self, in: folder).items.first)
        let npy = try NumpyArray.read(contentsOf: folder.appendingPathComponent(try #require(printed.files.first { $0.hasSuffix(".npy") })))

        // The report's maps page, on the same image with the same method and settings.
        let modelFile = try server.library.entry("cnn").model
        let image = try modelFile.provenance.preprocessing.load(contentsOf: faceFile)
        var data = Self.pageData(server)
        data.testImages = image.reshaped([1] + image.shape)
        data.testLabels = [12]
        let figures = try ExplanationPages.mapsFigures(try Self.network(server, "cnn"), name: "cnn", data: data, indices: [0],
                                                       methods: [method], trust: [], budget: .full)
        let page = try #require(figures.first?.items.first)

        #expect(npy.scalars == api.maps[0].raw, "the CLI's .npy and the API's raw map are the same numbers")
        #expect(npy.shape == image.shape)
        #expect(printed.target == api.target && page.target == api.target && cli.target == api.target)
        #expect(printed.targetProbability == cli.targetProbability && page.targetProbability == cli.targetProbability)
        #expect(cli.targetProbability == api.prediction.classes.first { $0.class == api.target }?.probability)
        #expect(printed.convergenceDelta == cli.convergenceDelta && page.convergenceDelta == cli.convergenceDelta)
        #expect(page.bound == cli.bound && page.robust == cli.robust && page.scaleKind == cli.scaleKind)
        #expect(cli.bound == scale.high && cli.robust == scale.robust, "the one rule: one scale per image and method family")
        #expect(page.map == cli.map && cli.map.image != nil, "the report draws the very picture lens explain writes")
        #expect(figures.first?.settings == api.maps[0].settings, "with the same settings")
    }
}

/// `lens explain --method sanity`'s summary rows, as figure.json holds them.
struct TrustSummary: Decodable {
    var summary: [TrustOutputRow]
}

struct TrustOutputRow: Decodable {
    var method: String
    var verdict: String?
    var spearman: Double?
    var standing: String?
}

/// `lens explain --method templates --json`'s figures, under their printed names.
struct TemplatesJSON: Decodable {
    var bound: Float
    var shown: [Int]
    var faceLikeness: Float?
    var faceLikenessPerClass: [Float]?
    var likenessLabel: String?
    var smoothness: Float?
    var smoothnessPerClass: [Float]?
}
