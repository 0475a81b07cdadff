import Foundation
import LensExplain
import LensModels
import LensTensor

/// The nearest training images of several inputs, each as the web app's Explain page shows one
/// (`NearestImages`, from the same `NearestIndex`): what `lens explain --method nearest` draws.
public struct NearestFigure: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var image: String
        /// The input's class when it is known (a test image), and the network's answer (not for a k-NN model).
        public var trueClass: String?
        public var predicted: String?
        public var probability: Float?
        @PictureField public var input: String
        public var nearest: NearestImages
    }

    public var model: String
    public var space: String
    public var metric: String
    public var unusualPercentile: Double
    public var unusualMargin: Double
    public var unusualAbove: Float
    /// The row-profile threshold applied beside it (`NearestEvidence.profileAbove`), nil when the inputs are not images.
    public var profileAbove: Float?
    /// The split the threshold was chosen on, and how often it fires on the test split and on strangers.
    public var calibration: String
    public var flagRates: UnusualFlagRates
    public var neighbours: Int
    /// The inputs' shape [C, H, W].
    public var imageShape: [Int]
    public var items: [Item]
}

extension NearestFigure {
    /// Each input's nearest training images in `index` (one search for all), with the class it is of
    /// (`label`, when known) and `network`'s answer (nil: a k-NN model, whose answer is its neighbours).
    init(index: NearestIndex, model: String, inputs: [(name: String, image: Tensor, label: Int?)], network: Network?) throws {
        let found = inputs.isEmpty ? [] : try index.nearest(batch: Tensor.stack(inputs.map(\.image)))
        let classes = index.classNames
        let answers: [(Int, Float)]? = try network.map { network in
            let probabilities = network.probabilities(Tensor.stack(inputs.map(\.image)))
            return probabilities.argmaxRows().enumerated().map { row, best in (best, probabilities.scalars[row * classes.count + best]) }
        }
        let items = try zip(inputs, found).enumerated().map { row, pair in
            let (input, nearest) = pair
            return Item(image: input.name, trueClass: input.label.map { classes[$0] }, predicted: answers.map { classes[$0[row].0] },
                        probability: answers.map { $0[row].1 }, input: try ImageInput.dataURI(input.image), nearest: nearest)
        }
        self.init(model: model, space: index.evidence.space, metric: index.evidence.metric.rawValue,
                  unusualPercentile: index.settings.unusualPercentile, unusualMargin: index.settings.unusualMargin,
                  unusualAbove: index.evidence.unusualAbove, profileAbove: index.evidence.profileAbove,
                  calibration: index.calibration, flagRates: index.flagRates, neighbours: index.settings.neighbors,
                  imageShape: inputs.first?.image.shape ?? [], items: items)
    }
}
