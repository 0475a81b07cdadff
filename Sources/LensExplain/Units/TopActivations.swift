import LensModels
import LensTensor

/// One of a unit's strongest responses: which image, how strongly, and where.
public struct UnitActivation: Codable, Sendable, Equatable {
    /// Row of the images searched.
    public var imageIndex: Int
    public var value: Float
    /// The spatial argmax in that image (0, 0 for a dense unit).
    public var y: Int
    public var x: Int
    /// The receptive field of (y, x) in the image; nil for a dense unit, which sees the whole image.
    public var box: PatchBox?
}

/// A unit (a dense layer's unit or a conv layer's channel) and its top activations, strongest first.
public struct UnitTop: Codable, Sendable, Equatable {
    public var unit: Int
    public var top: [UnitActivation]
    /// On how many of the images searched its strongest activation is above zero.
    public var firingImages: Int
    /// The largest over the images searched of its mean activation (a conv channel's mean over
    /// positions, a dense unit's activation): the objective feature visualisation climbs, found
    /// in the same pass as `top`, so the synthetic image's ratio needs no second search.
    public var largestMean: Float

    public init(unit: Int, top: [UnitActivation], firingImages: Int, largestMean: Float) {
        self.unit = unit
        self.top = top
        self.firingImages = firingImages
        self.largestMean = largestMean
    }

    /// Its top activations that fired (above zero): a rare unit's few images, none for a dead one.
    public var firing: [UnitActivation] { top.filter { $0.value > 0 } }
}

/// What Zeiler & Fergus and DeepVis show for a layer: per unit, the dataset images that excite
/// it most. A conv channel contributes its strongest position per image, so its k images are
/// distinct, and each comes with the patch of the image that position sees.
public struct LayerUnits: Codable, Sendable, Equatable {
    public var layer: String
    /// Set when the layer's output is spatial ([C, H, W]): patches are its boxes.
    public var receptiveField: ReceptiveField?
    public var units: [UnitTop]
    /// How many images were searched.
    public var imageCount: Int
}

extension LayerUnits {
    /// Streams `images` [N, ...input shape] through `network` `settings.batchSize` at a time and
    /// keeps, for each of `units` (nil: every unit of the layer), the `settings.topImages` images
    /// with the largest activation at the output of `layer`. Ties go to the lower image index,
    /// then the earlier position in raster order.
    public init(network: Network, layer: String, images: Tensor, units: [Int]? = nil,
                settings: InspectionSettings = InspectionSettings()) throws {
        try settings.validate()
        let index = try network.layerIndex(named: layer)
        try network.checkInput(images)
        let outputShape = network.architecture.layerOutputShapes[index]
        let spatial = outputShape.count == 3
        let channels = outputShape[0], positions = outputShape.dropFirst().reduce(1, *)
        let chosen = units ?? Array(0..<channels)
        for unit in chosen where !(0..<channels).contains(unit) {
            throw ExplainError.settingOutOfRange(setting: "unit", value: "\(unit)",
                                                 allowed: "between 0 and \(channels - 1): layer \(layer) has \(channels) units")
        }
        let count = images.shape[0]
        try InspectionSettings.check("top images", settings.topImages, available: count, of: "images searched")
        let field = spatial ? try ReceptiveField(layer: layer, in: network.architecture) : nil
        let (height, width) = spatial ? (network.architecture.inputShape[1], network.architecture.inputShape[2]) : (0, 0)
        let outputWidth = spatial ? outputShape[2] : 1

        var kept = [[UnitActivation]](repeating: [], count: chosen.count)
        var firing = [Int](repeating: 0, count: chosen.count)
        var largestMean = [Float](repeating: -.infinity, count: chosen.count)
        var network = network
        try forEachBatch(of: count, size: settings.batchSize) { range in
            guard let output = try network.activations(images.slice(range), at: [layer]).activations[layer] else {
                throw ExplainError.invalidInput("the network returned no output for layer \(layer)")
            }
            output.scalars.withUnsafeBufferPointer { values in
                for item in 0..<range.count {
                    for (slot, unit) in chosen.enumerated() {
                        let base = (item * channels + unit) * positions
                        var best = 0, sum = values[base]
                        for position in 1..<max(positions, 1) {
                            sum += values[base + position]
                            if values[base + position] > values[base + best] { best = position }
                        }
                        largestMean[slot] = max(largestMean[slot], sum / Float(max(positions, 1)))
                        let (y, x) = (best / outputWidth, best % outputWidth)
                        let candidate = UnitActivation(imageIndex: range.lowerBound + item, value: values[base + best], y: y, x: x,
                                                       box: field?.box(y: y, x: x, height: height, width: width))
                        if candidate.value > 0 { firing[slot] += 1 }
                        Self.insert(candidate, into: &kept[slot], keeping: settings.topImages)
                    }
                }
            }
        }
        self.init(layer: layer, receptiveField: field, units: chosen.indices.map { UnitTop(unit: chosen[$0], top: kept[$0], firingImages: firing[$0], largestMean: largestMean[$0]) },
                  imageCount: count)
    }

    /// Each unit's activity over the images searched.
    public func activity(of unit: UnitTop) -> UnitActivity { UnitActivity(firingImages: unit.firingImages, of: imageCount) }

    /// Inserts into a list sorted strongest first, kept to `limit`; images arrive in index order,
    /// so an equal value already kept stays ahead.
    private static func insert(_ candidate: UnitActivation, into list: inout [UnitActivation], keeping limit: Int) {
        if list.count == limit, let last = list.last, !(candidate.value > last.value) { return }
        let position = list.firstIndex { candidate.value > $0.value } ?? list.count
        list.insert(candidate, at: position)
        if list.count > limit { list.removeLast() }
    }
}
