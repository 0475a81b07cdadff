import Foundation
import LensExplain
import LensModels
import LensTensor

/// The slow figures of the library's models, each computed once per model (and layer) on a thread
/// of its own: templates with their likeness to the training data, unit galleries, and the Explain
/// page's nearest-neighbour index (started as soon as the model's test split is scored) and trust
/// checks behind the badges (started when first asked: they take tens of seconds on a CNN).
struct ModelFigures: Sendable {
    let templates = BackgroundFigures<TemplatesFigure>()
    let units = BackgroundFigures<UnitSearch>()
    let nearest = BackgroundFigures<NearestIndex>()
    let trust = BackgroundFigures<ModelTrust>()
    let featureVis = BackgroundFigures<FeatureVisFigure>()
    let embedding = BackgroundFigures<EmbeddingFigure>()
}

/// The layers a model's units can be inspected in.
public struct UnitLayers: Codable, Sendable {
    public var model: String
    public var layers: [UnitLayer]
}

extension ModelLibrary {
    /// The templates of model `id`; nil while they (or the model's evaluation, which loads the
    /// training images their likeness needs) are being computed. An error for k-NN.
    public func templates(_ id: String?) throws -> TemplatesFigure? {
        let entry = try entry(id)
        guard case .network = entry.model.model else { throw StudioError(.notApplicable, TemplatesFigure.nearestNeighborProblem) }
        let evaluated: Result<EvaluatedModel, Error>
        do {
            guard let ready = try evaluation(entry.id) else { return nil }
            evaluated = .success(ready)
        } catch {
            evaluated = .failure(error)
        }
        let dataset = try? evaluated.get().dataset
        let problem: String? = if case .failure(let error) = evaluated { "the training images could not be read: \(FileProblem.message(error))" } else { nil }
        return try settled(figures.templates.state(entry.id) {
            var figure = try entry.model.templatesFigure(training: dataset?.trainingSet)
            if let problem, figure.likenessProblem != nil { figure.likenessProblem = problem }
            return figure
        })
    }

    /// The layers of model `id` whose units can be inspected; an error for a model without hidden units.
    public func unitLayers(_ id: String?) throws -> UnitLayers {
        let entry = try entry(id)
        return UnitLayers(model: entry.id, layers: try Self.unitLayers(of: entry))
    }

    /// Every unit of `layer` of model `id`, found the first time it is asked for; nil while that
    /// (or the model's evaluation, which loads its data) is under way.
    public func unitGallery(_ id: String?, layer: String) throws -> UnitGallery? {
        try unitSearch(id, layer: layer)?.gallery
    }

    /// Unit `unit` of `layer` up close; nil while the layer's units are being found.
    public func unitDetail(_ id: String?, layer: String, unit: Int) throws -> UnitDetail? {
        try unitSearch(id, layer: layer)?.detail(unit: unit)
    }

    /// The uploaded image `bytes` through the layers of model `id`: every convolutional block's
    /// feature maps (each channel a tile, one scale per layer).
    public func layerMaps(_ id: String?, image bytes: Data) throws -> LayerMaps {
        let entry = try entry(id)
        guard case .network(let network) = entry.model.model else {
            throw StudioError(.notApplicable, "a k-NN model has no layers: it compares an image with the training images directly")
        }
        let image = try ImageInput.tensor(bytes, preprocessing: entry.model.provenance.preprocessing)
        return try LayerMaps(model: entry.id, network: network, image: image, classNames: entry.model.provenance.classNames)
    }

    /// What unit `unit` of `layer` wants to see (`lens explain --method feature-vis`'s figure, its
    /// default settings), made in the background; nil while it (or the layer's units) is computed.
    public func unitFeatureVis(_ id: String?, layer: String, unit: Int) throws -> FeatureVisFigure? {
        let entry = try entry(id)
        guard let search = try unitSearch(id, layer: layer) else { return nil }
        let units = search.gallery.layer.units
        guard (0..<units).contains(unit) else {
            throw StudioError(.notFound, "\(layer) has units 0 to \(units - 1); there is no unit \(unit)")
        }
        return try settled(figures.featureVis.state(entry.id + "|" + layer + "|\(unit)") {
            let settings = FeatureVisSettings()
            let objective = try FeatureObjective.unit(unit, of: layer, in: search.network)
            // the unit search's top images, not a second search
            guard let natural = search.units.units.first(where: { $0.unit == unit }) else {
                throw StudioError(.notFound, "the search of \(layer) kept no unit \(unit)")
            }
            let report = try FeatureVisReport(network: search.network, objective: objective, natural: natural, naturalImages: search.images,
                                              settings: settings)
            return try FeatureVisFigure(report, model: entry.id, network: search.network, images: search.images, labels: search.labels,
                                        classNames: search.classNames, datasetIndices: search.datasetIndices,
                                        searched: search.gallery.images, settings: settings)
        })
    }

    /// Model `id`'s test images at every layer (the report's embedding page, `PageBudget.full`), made in the background.
    public func embedding(_ id: String?) throws -> EmbeddingFigure? {
        let entry = try entry(id)
        _ = try Self.unitLayers(of: entry)
        guard case .network(let network) = entry.model.model, let evaluated = try evaluation(entry.id) else { return nil }
        return try settled(figures.embedding.state(entry.id) {
            let dataset = evaluated.dataset, split = dataset.split
            let data = PageData(classNames: dataset.data.classNames, trainImages: dataset.images(split.train),
                                trainLabels: dataset.labels(split.train), testImages: dataset.images(split.test),
                                testLabels: dataset.labels(split.test))
            var figure = try ExplanationPages.embeddingFigure(network, name: entry.id, data: data, budget: .full)
            figure.datasetIndices = figure.datasetIndices.map { split.test[$0] }
            figure.thumbnails = try figure.datasetIndices.map { try ImageInput.dataURI(dataset.image(at: $0)) }
            return figure
        })
    }

    private func unitSearch(_ id: String?, layer name: String) throws -> UnitSearch? {
        let entry = try entry(id)
        let layers = try Self.unitLayers(of: entry)
        guard let layer = layers.first(where: { $0.name == name }) else {
            throw StudioError(.notFound, "model \(entry.id) has no layer \"\(name)\" with units to show; its layers are \(layers.map(\.name).joined(separator: ", "))")
        }
        guard case .network(let network) = entry.model.model, let evaluated = try evaluation(entry.id) else { return nil }
        return try settled(figures.units.state(entry.id + "|" + layer.name) {
            try UnitSearch(model: entry.id, network: network, layer: layer, dataset: evaluated.dataset)
        })
    }

    private func settled<Value>(_ state: BackgroundFigures<Value>.State) throws -> Value? {
        switch state {
        case .computing: nil
        case .ready(let value): value
        case .failed(let error): throw error
        }
    }

    private static func unitLayers(of entry: Entry) throws -> [UnitLayer] {
        guard case .network(let network) = entry.model.model else {
            throw StudioError(.notApplicable, "a k-NN model has no units: it compares an image with the training images directly")
        }
        let layers = UnitLayer.all(in: network.architecture)
        guard !layers.isEmpty else {
            throw StudioError(.notApplicable, "softmax regression has no hidden units: its class templates are on the Templates page")
        }
        return layers
    }
}
