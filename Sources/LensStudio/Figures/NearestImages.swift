import Foundation
import LensExplain
import LensModels
import LensTensor

/// The training images nearest to one input in the space the model compares images in, and how
/// unusual the input is: LensExplain's `NearestEvidence` in a page's words, with the pictures.
public struct NearestImages: Codable, Sendable {
    public struct Neighbour: Codable, Sendable {
        /// Index of the training image in the whole dataset.
        public var index: Int
        public var `class`: String
        public var distance: Float
        /// The training image as the model sees it, as a PNG data URI.
        @PictureField public var image: String
    }

    /// What distances are measured on ("fc1 activations", "pixels").
    public var space: String
    public var metric: String
    /// Nearest first; as many as `NearestIndex.settings.neighbors`.
    public var neighbours: [Neighbour]
    /// Share of the calibration images (0-100) whose own nearest training image is at least as close.
    public var percentile: Double
    /// Whether the nearest distance lies above `unusualAbove`: nothing in training is this close.
    public var unusual: Bool
    public var unusualPercentile: Double
    public var unusualMargin: Double
    /// The nearest distance above which an input is flagged: `unusualMargin`% above the `unusualPercentile`th
    /// percentile of the calibration images' nearest distances, the number the flag applies.
    public var unusualAbove: Float
    /// The flag's second threshold, in the row-profile space, as applied (nil when the inputs are not images),
    /// with this input's distance there and the clause the page adds to its statement of the threshold.
    public var profileAbove: Float?
    public var profileDistance: Float?
    public var profileRule: String
    /// The split the threshold was chosen on: "validation" (or "test" when there is no validation split).
    public var calibration: String
    /// How often the flag fires on the test split and on strangers made from a test image.
    public var flagRates: UnusualFlagRates
}

/// A model's nearest-neighbour index over its training split, built once per model in the
/// background (embedding every training and test image costs a pass over the data), so that a
/// request only embeds its own image.
public struct NearestIndex: Sendable {
    public var evidence: NearestEvidence
    /// The number each training row is known by (its index in the whole dataset, or in the page's
    /// training images), and that image as [C, H, W].
    var rows: [Int]
    var trainingImage: @Sendable (Int) -> Tensor
    var classNames: [String]
    /// The split "unusual" is calibrated on, and the flag's rates on the test split and on strangers.
    public var calibration: String
    public var flagRates: UnusualFlagRates

    public var settings: InspectionSettings { evidence.settings }

    /// The index of `model` over `dataset`'s training split, calibrated on its validation split
    /// (its test split when it has no validation split), its flag measured on the test split.
    public init(model: ModelFile, dataset: StudioDataset, settings: InspectionSettings = InspectionSettings()) throws {
        let split = dataset.split
        let test = dataset.images(split.test)
        let held = split.validation.isEmpty ? nil : dataset.images(split.validation)
        let evidence = try Self.studio {
            switch model.model {
            case .network(let network):
                let training = dataset.trainingSet
                return try NearestEvidence(network: network, trainingImages: training.images, labels: training.labels,
                                           calibrationImages: held ?? test, settings: settings)
            case .nearestNeighbor(let classifier):
                // A k-NN model's references are its training split, in the split's order.
                guard classifier.labels.count == split.train.count else {
                    throw StudioError(.notApplicable, "this k-NN model holds \(classifier.labels.count) training images but "
                                      + "\(dataset.source.name)'s training split has \(split.train.count): its neighbours cannot be shown")
                }
                return try NearestEvidence(classifier: classifier, calibrationImages: held ?? test, settings: settings)
            }
        }
        try self.init(evidence: evidence, test: test, calibratedOnValidation: held != nil, rows: split.train,
                      classNames: model.provenance.classNames, trainingImage: { dataset.image(at: $0) })
    }

    /// The index of `network` over a report's training images, calibrated and measured as above;
    /// a neighbour's index is its row among `data.trainImages`.
    public init(network: Network, data: PageData, settings: InspectionSettings = InspectionSettings()) throws {
        let evidence = try Self.studio {
            try NearestEvidence(network: network, trainingImages: data.trainImages, labels: data.trainLabels,
                                calibrationImages: data.validationImages ?? data.testImages, settings: settings)
        }
        let images = data.trainImages, shape = Array(images.shape.dropFirst())
        try self.init(evidence: evidence, test: data.testImages, calibratedOnValidation: data.validationImages != nil,
                      rows: Array(0..<(images.shape.first ?? 0)), classNames: data.classNames,
                      trainingImage: { images.slice($0..<($0 + 1)).reshaped(shape) })
    }

    private init(evidence: NearestEvidence, test: Tensor, calibratedOnValidation: Bool, rows: [Int], classNames: [String],
                 trainingImage: @escaping @Sendable (Int) -> Tensor) throws {
        self.evidence = evidence
        calibration = calibratedOnValidation ? "validation" : "test"
        flagRates = try Self.studio { try UnusualFlagRates(evidence, testImages: test) }
        self.rows = rows
        self.classNames = classNames
        self.trainingImage = trainingImage
    }

    /// LensExplain's errors in the index's words; a knob out of range for this data stays itself,
    /// so that the CLI can name its flag.
    private static func studio<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let error as ExplainError {
            if case .settingOutOfRange = error { throw error }
            throw StudioError(.invalidInput, "nearest training images: \(error)")
        }
    }

    /// The nearest training images to `image` [C, H, W].
    public func nearest(_ image: Tensor) throws -> NearestImages {
        guard let found = try nearest(batch: image.reshaped([1] + image.shape)).first else {
            throw StudioError(.failed, "the nearest-neighbour search found nothing")
        }
        return found
    }

    /// The nearest training images to each of `images` [N, C, H, W], in one search.
    public func nearest(batch images: Tensor) throws -> [NearestImages] {
        let found = try Self.studio { try evidence.evidence(for: images) }
        return try found.map { found in
            let neighbours = try found.neighbors.map { near in
                let index = rows[near.trainingIndex]
                return NearestImages.Neighbour(index: index, class: classNames[near.label], distance: near.distance,
                                               image: try ImageInput.dataURI(trainingImage(index)))
            }
            return NearestImages(space: evidence.space, metric: evidence.metric.rawValue, neighbours: neighbours,
                                 percentile: found.percentile, unusual: found.unusual,
                                 unusualPercentile: settings.unusualPercentile, unusualMargin: settings.unusualMargin,
                                 unusualAbove: evidence.unusualAbove, profileAbove: evidence.profileAbove,
                                 profileDistance: found.profileDistance, profileRule: NearestEvidence.profileRule(above: evidence.profileAbove),
                                 calibration: calibration, flagRates: flagRates)
        }
    }
}
