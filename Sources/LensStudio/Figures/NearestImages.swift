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
    /// The nearest distance above which an input is flagged: the `unusualPercentile`th percentile
    /// of the calibration images' nearest distances, the number the flag applies.
    public var unusualAbove: Float
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
    /// Dataset index of each training row the evidence knows.
    var rows: [Int]
    var dataset: StudioDataset
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
        calibration = split.validation.isEmpty ? "test" : "validation"
        let held = split.validation.isEmpty ? test : dataset.images(split.validation)
        do {
            switch model.model {
            case .network(let network):
                let training = dataset.trainingSet
                evidence = try NearestEvidence(network: network, trainingImages: training.images, labels: training.labels,
                                               calibrationImages: held, settings: settings)
            case .nearestNeighbor(let classifier):
                // A k-NN model's references are its training split, in the split's order.
                guard classifier.labels.count == split.train.count else {
                    throw StudioError(.notApplicable, "this k-NN model holds \(classifier.labels.count) training images but "
                                      + "\(dataset.source.name)'s training split has \(split.train.count): its neighbours cannot be shown")
                }
                evidence = try NearestEvidence(classifier: classifier, calibrationImages: held, settings: settings)
            }
            flagRates = try UnusualFlagRates(evidence, testImages: test)
        } catch let error as ExplainError {
            // A knob out of range for this data stays itself, so that the CLI can name its flag.
            if case .settingOutOfRange = error { throw error }
            throw StudioError(.invalidInput, "nearest training images: \(error)")
        }
        rows = split.train
        self.dataset = dataset
        classNames = model.provenance.classNames
    }

    /// The nearest training images to `image` [C, H, W].
    public func nearest(_ image: Tensor) throws -> NearestImages {
        let found: NeighborEvidence
        do {
            guard let first = try evidence.evidence(for: image.reshaped([1] + image.shape)).first else {
                throw StudioError(.failed, "the nearest-neighbour search found nothing")
            }
            found = first
        } catch let error as ExplainError {
            throw StudioError(.invalidInput, "nearest training images: \(error)")
        }
        let neighbours = try found.neighbors.map { near in
            let index = rows[near.trainingIndex]
            return NearestImages.Neighbour(index: index, class: classNames[near.label], distance: near.distance,
                                           image: try ImageInput.dataURI(dataset.image(at: index)))
        }
        return NearestImages(space: evidence.space, metric: evidence.metric.rawValue, neighbours: neighbours,
                             percentile: found.percentile, unusual: found.unusual,
                             unusualPercentile: settings.unusualPercentile, unusualAbove: evidence.unusualAbove,
                             calibration: calibration, flagRates: flagRates)
    }
}
