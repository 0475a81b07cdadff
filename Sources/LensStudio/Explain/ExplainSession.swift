import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

/// One `lens explain` run: the model, its data loaded on first need, the images asked about, and
/// one function per kind of method, each building its figure (the one the report and the web app
/// draw), writing it into the output folder as index.html and figure.json, and returning its numbers.
public struct ExplainSession {
    public let job: ExplainJob
    private let dataCache = DataCache()

    public init(_ job: ExplainJob) {
        self.job = job
    }

    var modelFile: ModelFile { job.modelFile }
    var classes: [String] { modelFile.provenance.classNames }
    public var layerNames: [String] {
        if case .network(let network) = modelFile.model { network.layerNames } else { [] }
    }

    public func network(for method: String) throws -> Network {
        guard case .network(let network) = modelFile.model else { throw ExplainProblem.needsNetwork(method: method, model: job.modelName) }
        return network
    }

    /// The model's dataset (or the one named), split as at training time; loaded once.
    func dataset() throws -> StudioDataset {
        if let prepared = dataCache.prepared { return prepared }
        guard job.data != nil || !modelFile.provenance.dataset.isEmpty else { throw ExplainProblem.needsDataset(model: job.modelName) }
        let prepared = try StudioDataset(for: modelFile, named: job.data, maxPixels: job.maxPixels)
        job.datasetLoaded(prepared)
        dataCache.prepared = prepared
        return prepared
    }

    func outputFolder() throws -> ReportWriter { try ReportWriter(directory: job.out) }

    /// The figure as the folder's index.html (`page`) and figure.json (pictures included).
    func write<Figure: Encodable>(_ figure: Figure, page: ReportPage) throws {
        let writer = try outputFolder()
        try writer.write(try StudioJSON.encoder().encode(figure), to: "figure.json")
        try writer.write(pages: [page])
    }

    // MARK: Inputs

    struct Input {
        var name: String
        var image: Tensor
        var label: Int?
    }

    /// The image files, decoded the way the model records, or the first `limit` images of the split.
    func inputs() throws -> [Input] {
        if !job.imagePaths.isEmpty {
            var seen: [String: Int] = [:]
            return try job.imagePaths.map { path in
                let url = URL(fileURLWithPath: path)
                let image = try modelFile.provenance.preprocessing.load(contentsOf: url, maxPixels: job.maxPixels)
                var name = url.deletingPathExtension().lastPathComponent
                seen[name, default: 0] += 1
                if let count = seen[name], count > 1 { name += "-\(count)" }
                return Input(name: name, image: image, label: nil)
            }
        }
        guard let choice = job.split else { throw ExplainProblem.needsImages }
        let prepared = try dataset()
        let indices = Array(prepared.indices(choice).prefix(job.limit))
        guard !indices.isEmpty else { throw ExplainProblem.emptySplit(split: choice.rawValue, dataset: prepared.source.name) }
        let tensor = prepared.images(indices)
        let itemShape = Array(tensor.shape.dropFirst())
        return indices.enumerated().map { row, index in
            let label = prepared.data.labels[index]
            return Input(name: "\(choice.rawValue)-\(index)-\(prepared.data.classNames[label])",
                         image: tensor.slice(row..<(row + 1)).reshaped(itemShape), label: label)
        }
    }

    /// The class named for every item, or each item's predicted class.
    func targets(for batch: Tensor, network: Network) throws -> [Int] {
        if let name = job.className {
            guard let index = classes.firstIndex(of: name) else { throw ExplainError.unknownClass(name: name, classes: classes) }
            return Array(repeating: index, count: batch.shape[0])
        }
        return network.predictions(batch)
    }

    /// The training images' mean, the `mean` baseline (`AttributionContext(meanOf:)`, the one owner).
    func meanContext() throws -> AttributionContext {
        let prepared = try dataset()
        return AttributionContext(meanOf: prepared.images(prepared.split.train))
    }

    // MARK: Attribution maps

    public func attribution(_ method: AttributionMethod) throws -> AttributionReport {
        var network = try network(for: method.rawValue)
        if let reason = method.unavailability(for: network.architecture) { throw ExplainProblem.unavailable(method: method.rawValue, reason: reason) }
        var context = job.attribution.baseline == .mean ? try meanContext() : AttributionContext()
        let inputs = try inputs()
        let batch = Tensor.stack(inputs.map(\.image))
        let targets = try targets(for: batch, network: network)
        let label = "\(method.rawValue): \(inputs.count) image(s)"
        let progress = job.progress
        context.progress = { progress(label, $0) }
        let result = try method.attribute(&network, inputs: batch, targets: targets, settings: job.attribution, context: context)
        progress(label, 1)
        let figure = try AttributionFigure(result, model: job.modelName, classes: classes,
                                           inputs: inputs.map { ($0.name, $0.image, $0.label) })
        let writer = try outputFolder()
        var files: [[String]] = []
        for (row, item) in figure.items.enumerated() {
            let stem = "\(item.image).\(method.rawValue)"
            var written: [String] = []
            if item.map.image != nil {
                let map = result.maps.slice(row..<(row + 1)).dropFirstAxis()
                try writer.write(try MapPicture.png(map, reduction: figure.pictureReduction, over: inputs[row].image,
                                                    scale: figure.scale(of: row)), to: stem + ".png")
                written.append(stem + ".png")
            }
            if job.npy {
                try NumpyArray.write(result.maps.slice(row..<(row + 1)).dropFirstAxis(), to: job.out.appendingPathComponent(stem + ".npy"))
                written.append(stem + ".npy")
            }
            files.append(written)
        }
        try write(figure, page: ExplanationPages.attributionPage(figure))
        return AttributionReport(figure, files: files, directory: job.out.path)
    }

    // MARK: Templates

    /// The web app's templates figure (`TemplateLayout`'s choice, captions, voters and scale), as a page and a summary.
    public func templates() throws -> TemplatesReport {
        _ = try network(for: "templates")
        let figure = try modelFile.templatesFigure(loadingTraining: { try dataset().trainingSet })
        try write(figure, page: ExplanationPages.templatesPage(figure, title: "Templates of \(job.modelName)"))
        return TemplatesReport(model: job.modelName, figure: figure, directory: job.out.path)
    }

    // MARK: Nearest training images

    /// The web app's nearest training images (`NearestIndex`) of each input.
    public func nearest() throws -> NearestReport {
        let index = try NearestIndex(model: modelFile, dataset: try dataset(), settings: job.inspection)
        let figure = try NearestFigure(index: index, model: job.modelName,
                                       inputs: try inputs().map { ($0.name, $0.image) })
        try write(figure, page: ExplanationPages.nearestPage(figure))
        return NearestReport(figure, directory: job.out.path)
    }

    // MARK: Units and their projections

    /// The first units of `layer`, as the report and the web app's unit page draw them.
    public func units(layer: String, projections: Bool) throws -> UnitsReport {
        let network = try network(for: projections ? "deconvnet" : "units")
        _ = try network.layerIndex(named: layer)
        let prepared = try dataset()
        let train = prepared.split.train
        let figure = try UnitsFigure(model: job.modelName, network: network, layer: layer, images: prepared.images(train),
                                     labels: prepared.labels(train), classNames: prepared.data.classNames, datasetIndices: train,
                                     described: "the \(train.count) training images of \(prepared.source.name)",
                                     limit: job.maxUnits, settings: job.inspection)
        try write(figure, page: ExplanationPages.unitsPage(figure, projections: projections))
        return UnitsReport(figure, projections: projections, directory: job.out.path)
    }

    // MARK: Trust checks

    public func sanity() throws -> SanityRun {
        let prepared = try dataset()
        let context = try meanContext()
        let testImages = prepared.images(prepared.split.test)
        let label = "sanity: model randomisation", progress = job.progress
        let report = try TrustCheck.sanity(modelFile.model, testImages: testImages, settings: job.trust, attribution: job.attribution,
                                           context: context, progress: { progress(label, $0) })
        progress(label, 1)
        var dataRandomisation: DataRandomisationReport?
        if job.retrain {
            let network = try network(for: "sanity with data randomisation")
            let recipe = try DataRandomisation.recipe(for: modelFile)
            let sample = try TrustSample(choosingFrom: testImages, network: network, settings: job.trust)
            let validation = prepared.split.validation.isEmpty ? nil
                : (prepared.images(prepared.split.validation), prepared.labels(prepared.split.validation))
            dataRandomisation = try DataRandomisation.run(
                network, recipe: recipe, train: prepared.trainingSet, validation: validation, sample: sample, settings: job.trust,
                attribution: job.attribution, context: context, progress: { step in progress("sanity: \(step)", -1) })
        }
        let run = SanityRun(sanity: report, dataRandomisation: dataRandomisation)
        let figure = TrustFigure(model: job.modelName, randomisation: report.randomisation, faithfulness: nil,
                                 exactAnswers: report.exactAnswers, dataRandomisation: dataRandomisation)
        try write(TrustOutput(run), page: ExplanationPages.trustChecksPage(figure, title: "Sanity checks of \(job.modelName)"))
        try outputFolder().write(try Self.readableJSON(run), to: "report.json")
        return run
    }

    public func faithfulness() throws -> FaithfulnessReport {
        var settings = job.trust
        if let baseline = job.faithfulnessBaseline { settings.baselines = [baseline] }
        let prepared = try dataset()
        let label = "faithfulness: deletion and insertion", progress = job.progress
        let report = try TrustCheck.faithfulness(modelFile.model, testImages: prepared.images(prepared.split.test), settings: settings,
                                                 attribution: job.attribution, context: try meanContext(),
                                                 progress: { progress(label, $0) })
        progress(label, 1)
        let figure = TrustFigure(model: job.modelName, randomisation: nil, faithfulness: report, exactAnswers: nil, dataRandomisation: nil)
        try write(TrustOutput(report), page: ExplanationPages.trustChecksPage(figure, title: "Faithfulness of \(job.modelName)'s maps"))
        try outputFolder().write(try Self.readableJSON(report), to: "report.json")
        return report
    }

    static func readableJSON<T: Encodable>(_ value: T) throws -> Data {
        Data(try StudioJSON.text(value, pretty: true).utf8)
    }
}

/// Keeps the dataset a session loaded, so that each method reads it at most once.
private final class DataCache {
    var prepared: StudioDataset?
}
