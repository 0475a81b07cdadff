import LensModels
import LensTensor

/// One training image near an input.
public struct NearImage: Codable, Sendable, Equatable {
    /// Row in the training set the evidence was built from (a k-NN model's own references).
    public var trainingIndex: Int
    public var label: Int
    public var distance: Float
}

/// The evidence for one input: its nearest training images and how unusual it is.
public struct NeighborEvidence: Codable, Sendable, Equatable {
    /// Nearest first.
    public var neighbors: [NearImage]
    /// Percentage of the test images whose nearest distance is at most this input's (0-100).
    public var percentile: Double
    /// Whether `percentile` lies above the setting's threshold: nothing in training is this close.
    public var unusual: Bool

    public var nearestDistance: Float { neighbors.first?.distance ?? .infinity }
}

/// Nearest training images, and how unusual inputs are, in the space a model compares images in:
/// a k-NN model's own metric; for a network, Euclidean distance between penultimate-layer
/// activations (pixels for softmax regression, or on request).
///
/// "Unusual" is calibrated on the test images: each one's distance to its nearest training image
/// makes the reference distribution, and an input nearer to nothing than all but a few percent
/// of them is flagged, so a photo unlike anything in training is not just given a confident label.
public struct NearestEvidence: Sendable {
    /// What the distances are measured on ("pixels", "relu1 activations").
    public private(set) var space: String
    public private(set) var metric: DistanceMetric
    public private(set) var settings: InspectionSettings
    /// Each test image's distance to its nearest training image, ascending.
    public private(set) var testNearestDistances: [Float]
    private var embedding: Embedding
    private var references: Tensor
    private var labels: [Int]

    /// For a k-NN model: its references and metric. `testImages` calibrate "unusual".
    public init(classifier: NearestNeighborClassifier, testImages: Tensor, settings: InspectionSettings = InspectionSettings()) throws {
        try self.init(embedding: .pixels(features: classifier.featureCount), metric: classifier.metric,
                      trainingImages: classifier.references, labels: classifier.labels, testImages: testImages, settings: settings)
    }

    /// For a network: training images [N, ...input shape] and their labels; `testImages` calibrate
    /// "unusual". The space is `settings.nearestSpace`.
    public init(network: Network, trainingImages: Tensor, labels: [Int], testImages: Tensor,
                settings: InspectionSettings = InspectionSettings()) throws {
        try network.checkInput(trainingImages)
        let embedding: Embedding
        switch (settings.nearestSpace, Self.representationLayer(of: network)) {
        case (.penultimate, let layer?): embedding = .layer(network, layer)
        default: embedding = .pixels(features: network.architecture.inputShape.reduce(1, *))
        }
        try self.init(embedding: embedding, metric: .euclidean, trainingImages: trainingImages, labels: labels,
                      testImages: testImages, settings: settings)
    }

    private init(embedding: Embedding, metric: DistanceMetric, trainingImages: Tensor, labels: [Int], testImages: Tensor,
                 settings: InspectionSettings) throws {
        try settings.validate()
        guard trainingImages.shape.first == labels.count else {
            throw ExplainError.invalidInput("nearest neighbours: \(trainingImages.shape.first ?? 0) training images but \(labels.count) labels")
        }
        try InspectionSettings.check("neighbours", settings.neighbors, available: labels.count, of: "training images")
        guard (testImages.shape.first ?? 0) > 0 else {
            throw ExplainError.invalidInput("nearest neighbours need test images to tell what distance is unusual")
        }
        self.embedding = embedding
        self.metric = metric
        self.settings = settings
        self.labels = labels
        space = embedding.name
        references = try embedding.embed(trainingImages, batchSize: settings.batchSize)
        let test = try embedding.embed(testImages, batchSize: settings.batchSize)
        testNearestDistances = BlockedNearestNeighbors.search(queries: test, references: references, k: 1, metric: metric)
            .distances.map { $0[0] }.sorted()
    }

    /// The nearest distance above which an input is unusual (the percentile setting of the test images').
    public var unusualAbove: Float {
        let rank = Int((settings.unusualPercentile / 100 * Double(testNearestDistances.count)).rounded(.up))
        return testNearestDistances[min(max(rank - 1, 0), testNearestDistances.count - 1)]
    }

    /// The evidence for each input [N, ...], in order.
    public func evidence(for inputs: Tensor) throws -> [NeighborEvidence] {
        let features = try embedding.embed(inputs, batchSize: settings.batchSize)
        guard features.shape[0] > 0 else { return [] }
        let found = BlockedNearestNeighbors.search(queries: features, references: references, k: settings.neighbors, metric: metric)
        return zip(found.indices, found.distances).map { indices, distances in
            let neighbors = zip(indices, distances).map { NearImage(trainingIndex: $0, label: labels[$0], distance: $1) }
            let percentile = percentileRank(of: distances[0])
            return NeighborEvidence(neighbors: neighbors, percentile: percentile, unusual: percentile > settings.unusualPercentile)
        }
    }

    /// Percentage of test nearest distances at most `distance`.
    private func percentileRank(of distance: Float) -> Double {
        var low = 0, high = testNearestDistances.count
        while low < high {
            let middle = (low + high) / 2
            if testNearestDistances[middle] <= distance { low = middle + 1 } else { high = middle }
        }
        return 100 * Double(low) / Double(testNearestDistances.count)
    }

    /// The layer feeding the output, unless nothing with weights comes before it (then its
    /// output is the pixels themselves, reshaped: softmax regression).
    static func representationLayer(of network: Network) -> String? {
        guard let name = network.penultimateLayerName, let index = network.architecture.index(ofLayer: name) else { return nil }
        return network.architecture.layers[...index].contains(where: \.operation.hasParameters) ? name : nil
    }
}

/// Turns images into the vectors distances are measured between.
private enum Embedding: Sendable {
    case pixels(features: Int)
    case layer(Network, String)

    var name: String {
        switch self {
        case .pixels: "pixels"
        case let .layer(_, layer): "\(layer) activations"
        }
    }

    /// [N, D] vectors for `images` [N, ...], the network's layer computed `batchSize` images at a time.
    func embed(_ images: Tensor, batchSize: Int) throws -> Tensor {
        let count = images.shape.first ?? 0
        switch self {
        case let .pixels(features):
            guard images.rank >= 2, images.count == count * features else {
                throw ExplainError.invalidInput("images of shape \(images.shape) do not have \(features) values each, as the training images do")
            }
            return images.reshaped([count, features])
        case let .layer(network, layer):
            try network.checkInput(images)
            var network = network
            var scalars: [Float] = []
            var width = 0
            try forEachBatch(of: count, size: batchSize) { range in
                let output = try network.activations(images.slice(range), at: [layer]).activations[layer] ?? .empty
                width = output.count / range.count
                scalars += output.scalars
            }
            return Tensor(shape: [count, width], scalars: scalars)
        }
    }
}
