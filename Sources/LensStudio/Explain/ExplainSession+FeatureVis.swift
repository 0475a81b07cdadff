import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplainSession {
    // MARK: Feature visualisation

    /// The objective the job asks for: a class by name, else unit `job.unit` (0) of `job.layer`.
    func featureObjective(_ network: Network) throws -> FeatureObjective {
        if let name = job.className {
            guard let index = classes.firstIndex(of: name) else { throw ExplainError.unknownClass(name: name, classes: classes) }
            return .classLogit(index)
        }
        guard let layer = job.layer else {
            throw ExplainProblem.needsLayer(method: "feature-vis", layers: UnitLayer.all(in: network.architecture).map(\.name))
        }
        let unit = job.unit ?? 0
        switch job.channelObjective {
        case true?: return .channel(layer: layer, channel: unit)
        case false?: return .unit(layer: layer, unit: unit)
        case nil: return try FeatureObjective.unit(unit, of: layer, in: network)
        }
    }

    /// Images made for one unit or class beside its top natural patches, with the path check.
    public func featureVis() throws -> FeatureVisOutput {
        let network = try network(for: "feature-vis")
        let objective = try featureObjective(network)
        let prepared = try dataset()
        let train = prepared.split.train
        let images = prepared.images(train)
        let label = "feature-vis: \(FeatureVisFigure.describe(objective, classNames: classes, network: network))", progress = job.progress
        let report = try FeatureVisReport(network: network, objective: objective, naturalImages: images, settings: job.featureVis,
                                          inspection: job.inspection, progress: { progress(label, Double($0) / Double($1)) })
        let figure = try FeatureVisFigure(report, model: job.modelName, network: network, images: images, labels: prepared.labels(train),
                                          classNames: prepared.data.classNames, datasetIndices: train,
                                          searched: "the \(train.count) training images of \(prepared.source.name)",
                                          settings: job.featureVis)
        try write(figure, page: ExplanationPages.featureVisPage(figure))
        var files: [String] = []
        if job.npy {
            try NumpyArray.write(report.synthetic.images, to: job.out.appendingPathComponent("feature-vis.npy"))
            files.append("feature-vis.npy")
        }
        return FeatureVisOutput(figure, files: files, directory: job.out.path)
    }

    // MARK: Embedding

    /// Each layer's arrangement of a split (test by default) in 2-D, with the separability curve.
    public func embedding() throws -> EmbeddingOutput {
        let network = try network(for: "embedding")
        let prepared = try dataset()
        let choice = job.split ?? .test
        let indices = Array(prepared.indices(choice).prefix(job.embeddingLimit ?? Int.max))
        guard !indices.isEmpty else { throw ExplainProblem.emptySplit(split: choice.rawValue, dataset: prepared.source.name) }
        let layers: [String?]
        if let layer = job.layer, !job.allLayers {
            layers = [layer == LayerEmbedding.pixels ? nil : layer]
            if let layer = layers[0] { _ = try network.layerIndex(named: layer) }
        } else {
            layers = EmbeddingFigure.layers(of: network.architecture)
        }
        var settings = job.embedding
        settings.tsne.seed = UInt64(job.featureVis.seed)
        let images = prepared.images(indices), labels = prepared.labels(indices)
        let progress = job.progress
        let embeddings = try EmbeddingView.run(network: network, layers: layers, split: (images, labels), train: prepared.trainingSet,
                                               settings: settings, batchSize: job.inspection.batchSize,
                                               progress: { progress("embedding: layer \($0) of \($1)", Double($0) / Double($1)) })
        let figure = EmbeddingFigure(model: job.modelName, split: choice.rawValue, network: network, embeddings: embeddings, images: images,
                                     labels: labels, classNames: prepared.data.classNames, datasetIndices: indices, settings: settings)
        try write(figure, page: ExplanationPages.embeddingPage(figure))
        var files: [String] = []
        if job.npy {
            for embedding in embeddings {
                for (kind, tensor) in [("pca", embedding.pca), ("tsne", embedding.tsne)] {
                    let name = "embedding.\(embedding.layer).\(kind).npy"
                    try NumpyArray.write(tensor, to: job.out.appendingPathComponent(name))
                    files.append(name)
                }
            }
        }
        return EmbeddingOutput(figure, files: files, directory: job.out.path)
    }
}

/// `lens explain --method feature-vis --json`: the numbers of the figure, pictures in the folder.
public struct FeatureVisOutput: Encodable {
    public struct Image: Encodable {
        public var reached: Float
        public var activationRatio: Float
        public var classProbability: Float?
        public var pathSimilarity: [FeatureVisFigure.LayerValue]
        public var pathBaseline: [FeatureVisFigure.LayerValue]
        /// This image's own path check.
        public var badge: String
    }

    public var model: String
    public var objective: String
    public var layer: String?
    public var index: Int
    public var topNaturalActivation: Float
    public var badge: String
    /// The part of the image drawn (the receptive field of a spatial unit's centre), nil for the whole image.
    public var field: PatchBox?
    public var images: [Image]
    public var files: [String]
    public var directory: String

    init(_ figure: FeatureVisFigure, files: [String], directory: String) {
        model = figure.model
        objective = figure.objective
        layer = figure.layer
        index = figure.index
        topNaturalActivation = figure.topNaturalActivation
        badge = figure.badge
        field = figure.field
        images = figure.images.map {
            Image(reached: $0.reached, activationRatio: $0.activationRatio, classProbability: $0.classProbability,
                  pathSimilarity: $0.pathSimilarity, pathBaseline: $0.pathBaseline, badge: $0.badge)
        }
        self.files = files
        self.directory = directory
    }

    public var summary: String {
        let ratios = images.map { String(format: "%.2f", $0.activationRatio) }.joined(separator: ", ")
        return "\(objective): \(images.count) image(s) reaching \(ratios) x the top natural activation; path check: \(badge)"
            + (images.first?.classProbability.map { String(format: "; class probability under jitter %.2f", $0) } ?? "")
            + " → \(directory)/index.html"
    }
}

/// `lens explain --method embedding --json`: per layer from the pixels up, its two numbers.
public struct EmbeddingOutput: Encodable {
    public struct Layer: Encodable {
        public var layer: String
        public var knnAccuracy: Double
        public var trustworthiness: Double
    }

    public var model: String
    public var split: String
    public var points: Int
    public var layers: [Layer]
    public var files: [String]
    public var directory: String

    init(_ figure: EmbeddingFigure, files: [String], directory: String) {
        model = figure.model
        split = figure.split
        points = figure.labels.count
        layers = figure.layers.map { Layer(layer: $0.layer, knnAccuracy: $0.knnAccuracy, trustworthiness: $0.trustworthiness) }
        self.files = files
        self.directory = directory
    }

    public var summary: String {
        layers.map { String(format: "%@: k-NN accuracy %.3f, trustworthiness %.3f", $0.layer, $0.knnAccuracy, $0.trustworthiness) }
            .joined(separator: "\n") + "\n\(points) \(split) images → \(directory)/index.html"
    }
}
