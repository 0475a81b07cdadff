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
    /// Percentage of the calibration (validation) images whose nearest distance is at most this input's (0-100).
    public var percentile: Double
    /// Whether the nearest distance lies above `NearestEvidence.unusualAbove`, or the row-profile
    /// distance above `NearestEvidence.profileAbove`, the thresholds as stated: nothing in training is this close.
    public var unusual: Bool
    /// The distance from this input's row profile to the nearest training image's (`RowProfile`), where measured.
    public var profileDistance: Float? = nil

    public var nearestDistance: Float { neighbors.first?.distance ?? .infinity }
}

/// Nearest training images, and how unusual inputs are, in the space a model compares images in:
/// a k-NN model's own metric; for a network, Euclidean distance between penultimate-layer
/// activations (pixels for softmax regression, or on request).
///
/// "Unusual" is calibrated on held-out images the model never trained on, the validation split:
/// each one's distance to its nearest training image makes the reference distribution, and the
/// threshold lies the setting's margin above the setting's percentile of it. An input whose nearest distance lies above that
/// number is flagged (the number said is the number used), so a photo unlike anything in training
/// is not just given a confident label; the test split stays free to measure how often it fires.
public struct NearestEvidence: Sendable {
    /// What the distances are measured on ("pixels", "relu1 activations").
    public private(set) var space: String
    public private(set) var metric: DistanceMetric
    public private(set) var settings: InspectionSettings
    /// Each calibration image's distance to its nearest training image, ascending.
    public private(set) var calibrationDistances: [Float]
    /// The second space the flag looks in, for images: each row's mean brightness, which sees
    /// what the model's space can miss (a face upside down is as near a training face there as a
    /// held-out face is). Nil for inputs that are not images.
    public private(set) var profile: RowProfile?
    private var embedding: Embedding
    private var references: Tensor
    private var labels: [Int]

    /// For a k-NN model: its references and metric. `calibrationImages` (the validation split) calibrate "unusual".
    public init(classifier: NearestNeighborClassifier, calibrationImages: Tensor, settings: InspectionSettings = InspectionSettings()) throws {
        // its references are kept flat: given the calibration images' shape back, so that their rows can be compared
        let imageShape = Array(calibrationImages.shape.dropFirst())
        let references = imageShape.reduce(1, *) == classifier.featureCount
            ? classifier.references.reshaped([classifier.labels.count] + imageShape) : classifier.references
        try self.init(embedding: .pixels(features: classifier.featureCount), metric: classifier.metric,
                      trainingImages: references, labels: classifier.labels, calibrationImages: calibrationImages, settings: settings)
    }

    /// For a network: training images [N, ...input shape] and their labels; `calibrationImages`
    /// (the validation split) calibrate "unusual". The space is `settings.nearestSpace`.
    public init(network: Network, trainingImages: Tensor, labels: [Int], calibrationImages: Tensor,
                settings: InspectionSettings = InspectionSettings()) throws {
        try network.checkInput(trainingImages)
        let embedding: Embedding
        switch (settings.nearestSpace, Self.representationLayer(of: network)) {
        case (.penultimate, let layer?): embedding = .layer(network, layer)
        default: embedding = .pixels(features: network.architecture.inputShape.reduce(1, *))
        }
        try self.init(embedding: embedding, metric: .euclidean, trainingImages: trainingImages, labels: labels,
                      calibrationImages: calibrationImages, settings: settings)
    }

    private init(embedding: Embedding, metric: DistanceMetric, trainingImages: Tensor, labels: [Int], calibrationImages: Tensor,
                 settings: InspectionSettings) throws {
        try settings.validate()
        guard trainingImages.shape.first == labels.count else {
            throw ExplainError.invalidInput("nearest neighbours: \(trainingImages.shape.first ?? 0) training images but \(labels.count) labels")
        }
        try InspectionSettings.check("neighbours", settings.neighbors, available: labels.count, of: "training images")
        guard (calibrationImages.shape.first ?? 0) > 0 else {
            throw ExplainError.invalidInput("nearest neighbours need held-out (validation) images to tell what distance is unusual")
        }
        self.embedding = embedding
        self.metric = metric
        self.settings = settings
        self.labels = labels
        space = embedding.name
        references = try embedding.embed(trainingImages, batchSize: settings.batchSize)
        let calibration = try embedding.embed(calibrationImages, batchSize: settings.batchSize)
        calibrationDistances = BlockedNearestNeighbors.search(queries: calibration, references: references, k: 1, metric: metric)
            .distances.map { $0[0] }.sorted()
        profile = try RowProfile(trainingImages: trainingImages, calibrationImages: calibrationImages)
    }

    /// The nearest distance above which an input is unusual: the setting's margin above the
    /// setting's percentile of the calibration images' nearest distances (the smallest distance at
    /// least that share lies at or below).
    public var unusualAbove: Float { Self.threshold(calibrationDistances, settings: settings) }

    /// The row-profile distance above which an input is unusual, by the same rule; nil without a profile.
    public var profileAbove: Float? { profile.map { Self.threshold($0.calibrationDistances, settings: settings) } }

    /// The setting's margin above the setting's percentile of `sorted` (ascending) calibration distances. Both spaces
    /// lie above every validation image at the default (100th percentile), so the two together flag none of them.
    static func threshold(_ sorted: [Float], settings: InspectionSettings) -> Float {
        let rank = Int((settings.unusualPercentile / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)] * Float(1 + settings.unusualMargin / 100)
    }

    /// How the threshold is set, as every page says it: "5% above the 100th percentile".
    public static func rule(percentile: Double, margin: Double) -> String {
        (margin > 0 ? "\(String(format: "%g", margin))% above " : "") + "the \(String(format: "%.0f", percentile))th percentile"
    }

    /// The flag's second threshold as every page says it, after the first: ", or when its row profile …"; empty without one.
    public static func profileRule(above: Float?) -> String {
        guard let above else { return "" }
        return ", or when its row profile (each row's mean brightness, which tells an upside-down image from an upright one) lies "
            + "more than \(String(format: "%.4g", above)) from every training image's, by the same rule"
    }

    /// The evidence for each input [N, ...], in order.
    public func evidence(for inputs: Tensor) throws -> [NeighborEvidence] {
        let features = try embedding.embed(inputs, batchSize: settings.batchSize)
        guard features.shape[0] > 0 else { return [] }
        let found = BlockedNearestNeighbors.search(queries: features, references: references, k: settings.neighbors, metric: metric)
        let profiles = try profile?.nearestDistances(inputs)
        let (above, profileAbove) = (unusualAbove, profileAbove ?? .infinity)
        return zip(found.indices, found.distances).enumerated().map { item, pair in
            let (indices, distances) = pair
            let neighbors = zip(indices, distances).map { NearImage(trainingIndex: $0, label: labels[$0], distance: $1) }
            let profileDistance = profiles?[item]
            return NeighborEvidence(neighbors: neighbors, percentile: percentileRank(of: distances[0]),
                                    unusual: distances[0] > above || (profileDistance ?? 0) > profileAbove, profileDistance: profileDistance)
        }
    }

    /// Percentage of calibration nearest distances at most `distance`.
    private func percentileRank(of distance: Float) -> Double {
        var low = 0, high = calibrationDistances.count
        while low < high {
            let middle = (low + high) / 2
            if calibrationDistances[middle] <= distance { low = middle + 1 } else { high = middle }
        }
        return 100 * Double(low) / Double(calibrationDistances.count)
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
