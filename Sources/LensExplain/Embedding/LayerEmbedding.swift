import LensModels
import LensTensor

/// The embedding view's knobs: t-SNE's, and the neighbour counts of its two numbers.
public struct EmbeddingSettings: Codable, Sendable, Equatable {
    public var tsne = TSNESettings()
    /// PCA components t-SNE reads (as scikit-learn users do: 50), fewer when a layer has fewer values.
    public var pcaComponents = Knobs.pcaComponents.defaultValue
    /// k of the k-NN accuracy (test images against training images in the layer's space).
    public var knnNeighbours = Knobs.knnNeighbours.defaultValue
    /// k of trustworthiness (12, as W10's reference figures).
    public var trustNeighbours = Knobs.trustNeighbours.defaultValue
    /// Refuse when the activations of every asked layer would take more than this.
    public var memoryBudgetBytes = 4 << 30

    public init() {}

    public enum Knobs {
        public static let pcaComponents = Knob<Int>(
            "pca_components", name: "PCA components", default: 50, range: 2...1000, unit: "components",
            help: "embedding: PCA components t-SNE starts from.")
        public static let knnNeighbours = Knob<Int>(
            "embedding_knn", name: "k-NN neighbours", default: 5, range: 1...100, unit: "neighbours",
            help: "embedding: k of the k-NN accuracy of each layer.")
        public static let trustNeighbours = Knob<Int>(
            "trust_neighbours", name: "trustworthiness neighbours", default: 12, range: 1...100, unit: "neighbours",
            help: "embedding: k of t-SNE's trustworthiness.")
        public static var all: [SettingInfo] { [SettingInfo(pcaComponents), SettingInfo(knnNeighbours), SettingInfo(trustNeighbours)] }
    }

    public func validate(points: Int) throws {
        try Knobs.table.validate(self)
        try tsne.validate(points: points)
    }
}

extension EmbeddingSettings.Knobs {
    /// Every knob of the view (t-SNE's are `TSNESettings.Knobs`) and the setting it sets.
    static var table: [KnobRow<EmbeddingSettings>] {
        [pcaComponents.row(\.pcaComponents), knnNeighbours.row(\.knnNeighbours), trustNeighbours.row(\.trustNeighbours)]
    }
}

/// One layer of the embedding view: the split's images in that layer's space projected to 2-D,
/// and how well the space separates the classes.
public struct LayerEmbedding: Sendable {
    /// The layer's name; "pixels" for the input.
    public var layer: String
    /// [N, 2] each.
    public var pca: Tensor
    public var tsne: Tensor
    /// Share of the split's images whose k nearest training images (in this layer) vote their label.
    public var knnAccuracy: Double
    /// Trustworthiness of the t-SNE map against the PCA components it started from.
    public var trustworthiness: Double
    /// KL divergence t-SNE ended at.
    public var divergence: Double

    /// The name the pixels' row goes by.
    public static let pixels = "pixels"
}

public enum EmbeddingView {
    /// Bytes the activations of `layers` (nil: the pixels) take for `images` items, plus t-SNE's
    /// working set (dense P when exact).
    public static func memoryEstimate(network: Network, layers: [String?], images: Int, settings: EmbeddingSettings) throws -> Int {
        var floats = 0
        for layer in layers {
            let shape = try layer.map { network.architecture.layerOutputShapes[try network.layerIndex(named: $0)] } ?? network.architecture.inputShape
            floats = max(floats, shape.reduce(1, *))
        }
        let tsneFloats = images < settings.tsne.exactBelow ? 2 * images * images : images * 200
        return 4 * (floats * images * 2 + tsneFloats)
    }

    /// Per layer, in the order given (nil: the pixels): PCA and t-SNE of `split`'s activations,
    /// its k-NN accuracy against `train` and t-SNE's trustworthiness. `progress(layer, layers)`.
    public static func run(network: Network, layers: [String?], split: (images: Tensor, labels: [Int]),
                           train: (images: Tensor, labels: [Int]), settings: EmbeddingSettings = EmbeddingSettings(),
                           batchSize: Int = 64, progress: ((Int, Int) -> Void)? = nil) throws -> [LayerEmbedding] {
        let n = split.images.shape.first ?? 0
        try settings.validate(points: n)
        try network.checkInput(split.images)
        try network.checkInput(train.images)
        let bytes = try memoryEstimate(network: network, layers: layers, images: max(n, train.images.shape[0]), settings: settings)
        guard bytes <= settings.memoryBudgetBytes else {
            throw ExplainError.invalidInput("the embedding of \(n) images needs about \(bytes >> 20) MB, above the \(settings.memoryBudgetBytes >> 20) MB allowed; use fewer images or one layer")
        }
        var result: [LayerEmbedding] = []
        for (position, layer) in layers.enumerated() {
            let test = try flatActivations(network, layer, split.images, batchSize: batchSize)
            let reference = try flatActivations(network, layer, train.images, batchSize: batchSize)
            let knn = try NearestNeighborClassifier(k: min(settings.knnNeighbours, train.labels.count), metric: .euclidean,
                                                    references: reference, labels: train.labels,
                                                    classCount: network.architecture.classCount)
            let predicted = try knn.predict(test).map(\.label)
            let accuracy = Double(zip(predicted, split.labels).filter { $0 == $1 }.count) / Double(max(n, 1))
            let pca = try PCA(test, components: min(settings.pcaComponents, n, test.shape[1]), seed: settings.tsne.seed)
            let reduced = pca.transform(test)
            let tsne = try TSNE.embed(reduced, settings: settings.tsne)
            let trust = try Trustworthiness.score(original: reduced, embedded: tsne.coordinates,
                                                  neighbours: min(settings.trustNeighbours, max(1, (n - 1) / 2 - 1)))
            let planar = Tensor(shape: [n, 2], scalars: (0..<n).flatMap { i in
                (0..<2).map { c in c < reduced.shape[1] ? reduced.scalars[i * reduced.shape[1] + c] : 0 }
            })
            result.append(LayerEmbedding(layer: layer ?? LayerEmbedding.pixels, pca: planar, tsne: tsne.coordinates,
                                         knnAccuracy: accuracy, trustworthiness: trust, divergence: tsne.divergence))
            progress?(position + 1, layers.count)
        }
        return result
    }

    /// [N, size of the layer's output] (or the pixels), `batchSize` images at a time.
    static func flatActivations(_ network: Network, _ layer: String?, _ images: Tensor, batchSize: Int) throws -> Tensor {
        let n = images.shape[0]
        guard let layer else { return images.reshaped([n, images.count / max(n, 1)]) }
        let size = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)].reduce(1, *)
        var network = network
        var scalars = [Float]()
        scalars.reserveCapacity(n * size)
        try forEachBatch(of: n, size: batchSize) { range in
            guard let output = try network.activations(images.slice(range), at: [layer]).activations[layer] else {
                throw ExplainError.invalidInput("the network returned no output for layer \(layer)")
            }
            scalars += output.scalars
        }
        return Tensor(shape: [n, size], scalars: scalars)
    }
}
