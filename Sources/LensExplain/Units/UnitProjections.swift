import LensModels
import LensTensor

/// A unit's top activations projected back to pixel space (Zeiler & Fergus §2.1): a one-hot at
/// the unit's (channel, y, x) in its layer's output, taken down to the input with every ReLU
/// passing max(R, 0) (deconvnet; guided backprop also masks by the forward ReLU), max pooling
/// routed by its switches and convolutions by their transposed filters.
public struct UnitProjections: Sendable {
    public var layer: String
    public var unit: Int
    /// The activations projected, strongest first (`LayerUnits`' list for this unit).
    public var activations: [UnitActivation]
    /// [k, ...input shape]: the image of each activation, its deconvnet projection and its guided one.
    public var images: Tensor
    public var deconvnet: Tensor
    public var guided: Tensor

    /// Item `index` of `maps` ([k, C, H, W]) cut to that activation's box (the whole image for a
    /// dense unit): the patch shown beside the projection.
    public func patch(_ maps: Tensor, item index: Int) -> Tensor {
        let item = maps.slice(index..<(index + 1))
        guard let box = activations[index].box, maps.rank == 4 else { return item }
        return item.cropped(to: box)
    }
}

extension UnitProjections {
    /// Projects every activation of `top` (found by `LayerUnits` on `images`) in one batched
    /// forward and one backward per ReLU rule.
    public init(network: Network, layer: String, top: UnitTop, images: Tensor) throws {
        let index = try network.layerIndex(named: layer)
        try network.checkInput(images)
        let outputShape = network.architecture.layerOutputShapes[index]
        guard (0..<outputShape[0]).contains(top.unit) else {
            throw ExplainError.settingOutOfRange(setting: "unit", value: "\(top.unit)",
                                                 allowed: "between 0 and \(outputShape[0] - 1): layer \(layer) has \(outputShape[0]) units")
        }
        let count = images.shape[0]
        for activation in top.top where !(0..<count).contains(activation.imageIndex) {
            throw ExplainError.invalidInput("activation of image \(activation.imageIndex) but only \(count) images were given")
        }
        let batch = images.gather(top.top.map(\.imageIndex))
        let itemSize = outputShape.reduce(1, *), width = outputShape.count == 3 ? outputShape[2] : 1
        var oneHot = Tensor(shape: [top.top.count] + outputShape)
        for (item, activation) in top.top.enumerated() {
            let position = outputShape.count == 3 ? activation.y * width + activation.x : 0
            oneHot.scalars[item * itemSize + top.unit * (itemSize / outputShape[0]) + position] = 1
        }
        // One forward serves both backward passes: backward reads the forward's caches, never changes them.
        var network = network
        _ = try network.activations(batch, at: [])
        func project(_ mode: ReLUBackwardMode) throws -> Tensor {
            try network.backward(from: layer, outputGradient: oneHot, reluMode: mode, parameterGradients: .skip).input
        }
        self.init(layer: layer, unit: top.unit, activations: top.top, images: batch,
                  deconvnet: try project(.deconvnet), guided: try project(.guided))
    }
}

extension LayerUnits {
    /// The projections of every unit found, in order: what `lens explain --method deconvnet
    /// --layer L` shows without an image. `images` are the images the units were found in.
    public func projections(network: Network, images: Tensor) throws -> [UnitProjections] {
        guard images.shape.first == imageCount else {
            throw ExplainError.invalidInput("the units of \(layer) were found in \(imageCount) images, not \(images.shape.first ?? 0)")
        }
        return try units.map { try UnitProjections(network: network, layer: layer, top: $0, images: images) }
    }
}

extension Tensor {
    /// The box of a [1, C, H, W] item: [1, C, box height, box width].
    fileprivate func cropped(to box: PatchBox) -> Tensor {
        let (channels, height, width) = (shape[1], shape[2], shape[3])
        var values: [Float] = []
        values.reserveCapacity(channels * box.height * box.width)
        for c in 0..<channels {
            for y in box.top..<(box.top + box.height) {
                let start = (c * height + y) * width + box.left
                values += scalars[start..<(start + box.width)]
            }
        }
        return Tensor(shape: [1, channels, box.height, box.width], scalars: values)
    }
}
