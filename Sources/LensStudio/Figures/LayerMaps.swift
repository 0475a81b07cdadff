import Foundation
import LensModels
import LensTensor

/// One image through the layers (as CNN Explainer shows it): the feature maps of every
/// convolutional block's output for this image, each channel a small gray tile, all tiles of a
/// layer on one scale. Each tile is a unit of the Units page, which a click on it opens. The web
/// app's Layers page draws this value.
public struct LayerMaps: Codable, Sendable {
    public struct Tile: Codable, Sendable {
        public var unit: Int
        /// The channel's largest value on this image (0: the unit is silent here).
        public var peak: Float
        /// [H, W] of the channel on the layer's scale, a gray PNG data URI.
        @PictureField public var image: String
    }

    public struct Layer: Codable, Sendable {
        public var layer: UnitLayer
        /// The feature maps' height and width.
        public var height: Int
        public var width: Int
        /// The layer's scale: black at `low`, white at `high` (its largest value on this image).
        public var low: Float
        public var high: Float
        /// How many channels are zero everywhere on this image.
        public var silent: Int
        public var tiles: [Tile]
    }

    public var model: String
    /// The image as the model sees it.
    @PictureField public var input: String
    public var predicted: String
    public var scaleRule: String
    public var layers: [Layer]

    /// Per layer, because a deeper layer's values are on another scale than the first's: one scale
    /// for the whole network would leave the layers with small values black. One scale per channel
    /// would make a silent channel's noise look as strong as the layer's busiest one.
    public static let scaleRule = "one gray scale per layer: black at 0 (or the layer's lowest value), white at the layer's largest activation on this image"
}

extension LayerMaps {
    /// `image` [...input shape] through `network`: the output of every convolutional block (the
    /// layers of `UnitLayer.all`, so that each tile is a unit of the Units page).
    public init(model: String, network: Network, image: Tensor, classNames: [String]) throws {
        let layers = UnitLayer.all(in: network.architecture).filter { $0.kind == .convolutional }
        guard !layers.isEmpty else {
            throw StudioError(.notApplicable, "this model has no convolutional layer, so an image has no feature maps to show")
        }
        var network = network
        let batch = image.reshaped([1] + network.architecture.inputShape)
        let (logits, activations) = try network.activations(batch, at: layers.map(\.name))
        let predicted = logits.argmaxRows().first ?? 0
        let drawn = try layers.map { layer -> Layer in
            guard let output = activations[layer.name], output.rank == 4 else {
                throw StudioError(.failed, "the network returned no feature maps for layer \(layer.name)")
            }
            let (channels, height, width) = (output.shape[1], output.shape[2], output.shape[3])
            let plane = height * width
            let low = min(output.scalars.min() ?? 0, 0), high = max(output.scalars.max() ?? 0, low)
            var silent = 0
            let tiles = try (0..<channels).map { channel -> Tile in
                let values = Array(output.scalars[(channel * plane)..<((channel + 1) * plane)])
                let peak = values.max() ?? 0
                if peak <= 0 { silent += 1 }
                let picture = try PNGImage.dataURI(Tensor(shape: [1, height, width], scalars: values), scale: .range(low, high))
                return Tile(unit: channel, peak: peak, image: picture)
            }
            return Layer(layer: layer, height: height, width: width, low: low, high: high, silent: silent, tiles: tiles)
        }
        self.init(model: model, input: try ImageInput.dataURI(batch.reshaped(Array(batch.shape.dropFirst()))),
                  predicted: predicted < classNames.count ? classNames[predicted] : "class \(predicted)",
                  scaleRule: Self.scaleRule, layers: drawn)
    }
}
