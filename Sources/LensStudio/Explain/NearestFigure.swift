import Foundation
import LensExplain
import LensTensor

/// The nearest training images of several inputs, each as the web app's Explain page shows one
/// (`NearestImages`, from the same `NearestIndex`): what `lens explain --method nearest` draws.
public struct NearestFigure: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var image: String
        @PictureField public var input: String
        public var nearest: NearestImages
    }

    public var model: String
    public var space: String
    public var metric: String
    public var unusualPercentile: Double
    public var unusualAbove: Float
    /// The split the threshold was chosen on, and how often it fires on the test split and on strangers.
    public var calibration: String
    public var flagRates: UnusualFlagRates
    public var items: [Item]
}

extension NearestFigure {
    init(index: NearestIndex, model: String, inputs: [(name: String, image: Tensor)]) throws {
        let items = try inputs.map { input in
            Item(image: input.name, input: try ImageInput.dataURI(input.image), nearest: try index.nearest(input.image))
        }
        self.init(model: model, space: index.evidence.space, metric: index.evidence.metric.rawValue,
                  unusualPercentile: index.settings.unusualPercentile, unusualAbove: index.evidence.unusualAbove,
                  calibration: index.calibration, flagRates: index.flagRates, items: items)
    }
}
