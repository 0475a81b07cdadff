import Foundation
import LensExplain
import LensModels
import LensTensor

/// The first units of one layer that fire, each as its `UnitDetail` (top patches and their
/// projections on the unit's own scale), and the layer's dead and rare units counted and listed
/// apart: what the report's units page and `lens explain --method units` draw.
public struct UnitsFigure: Codable, Sendable {
    public var model: String
    public var layer: UnitLayer
    /// What the units were found in, and how many images.
    public var images: String
    public var imageCount: Int
    /// `UnitDetail.scaleRule`: every unit of the figure is drawn by it.
    public var scaleRule: String
    /// The whole layer's units that never fire on the images searched, and those that fire on
    /// fewer than `UnitActivity.rareFraction` of them: counts, unit numbers, and that in words.
    public var deadUnits: Int
    public var rareUnits: Int
    public var dead: [Int]
    public var rare: [Int]
    public var activitySummary: String
    /// The units drawn: dead units never are (they would be arbitrary images at activation 0).
    public var units: [UnitDetail]
}

extension UnitsFigure {
    /// The first `limit` units of `layer` that fire (nil: every one), found in `images` [N, C, H, W]
    /// with `labels`; `datasetIndices` gives each image's index in its dataset (nil: its position in
    /// `images`). Every unit of the layer is searched, so that its dead and rare units are counted.
    public init(model: String, network: Network, layer name: String, images: Tensor, labels: [Int], classNames: [String],
                datasetIndices: [Int]? = nil, described: String, limit: Int? = nil,
                settings: InspectionSettings = InspectionSettings()) throws {
        var settings = settings
        settings.topImages = min(settings.topImages, max(images.shape.first ?? 1, 1))
        let found = try LayerUnits(network: network, layer: name, images: images, settings: settings)
        try self.init(model: model, network: network, found: found, images: images, labels: labels, classNames: classNames,
                      datasetIndices: datasetIndices, described: described, limit: limit)
    }

    /// The same figure from a search already made (`found`, every unit of its layer in `images`),
    /// so that a page that also visualises the units reuses their top images.
    public init(model: String, network: Network, found: LayerUnits, images: Tensor, labels: [Int], classNames: [String],
                datasetIndices: [Int]? = nil, described: String, limit: Int? = nil) throws {
        let layer = try UnitLayer.named(found.layer, in: network.architecture)
        let className = { (index: Int) in index < labels.count && labels[index] < classNames.count ? classNames[labels[index]] : "" }
        let live = found.units.filter { found.activity(of: $0) != .dead }
        let details = try live.prefix(limit ?? live.count).map { top in
            try UnitDetail(top: top, imageCount: found.imageCount, network: network, searched: images, model: model, layer: layer,
                           images: described, classOf: className, datasetIndex: { datasetIndices?[$0] ?? $0 })
        }
        let activity = UnitActivityCount(found)
        self.init(model: model, layer: layer, images: described, imageCount: found.imageCount, scaleRule: UnitDetail.scaleRule,
                  deadUnits: activity.dead.count, rareUnits: activity.rare.count, dead: activity.dead, rare: activity.rare,
                  activitySummary: activity.summary(in: described), units: details)
    }
}

/// A layer's dead and rare units: the one count the units figure, the Units page's gallery and
/// the JSON of `lens explain --method units` all give.
public struct UnitActivityCount: Codable, Sendable, Equatable {
    public var units: Int
    public var dead: [Int]
    public var rare: [Int]

    public init(_ found: LayerUnits) {
        units = found.units.count
        dead = found.units.filter { found.activity(of: $0) == .dead }.map(\.unit)
        rare = found.units.filter { found.activity(of: $0) == .rare }.map(\.unit)
    }

    /// "92 of 128 units never fire on the training images; 3 fire on fewer than 1% of them."
    public func summary(in images: String) -> String {
        let percent = String(format: "%g%%", UnitActivity.rareFraction * 100)
        let rareWords = rare.isEmpty ? "none fires on fewer than \(percent) of them"
            : "\(rare.count) \(rare.count == 1 ? "fires" : "fire") on fewer than \(percent) of them (rare)"
        return "\(dead.count) of \(units) units never fire on \(images) (dead); \(rareWords)."
    }
}

extension UnitLayer {
    /// Any layer of `architecture` by name (a conv block's ReLU or pool, or a hidden dense layer's output).
    public static func named(_ name: String, in architecture: Architecture) throws -> UnitLayer {
        guard let index = architecture.layers.firstIndex(where: { $0.name == name }) else {
            throw StudioError(.notFound, "there is no layer \"\(name)\"; the layers are \(architecture.layers.map(\.name).joined(separator: ", "))")
        }
        let shape = architecture.layerOutputShapes[index]
        let spatial = shape.count == 3
        return UnitLayer(name: name, kind: spatial ? .convolutional : .dense, units: shape.first ?? 0,
                         receptiveField: spatial ? (try? ReceptiveField(layer: name, in: architecture))?.size : nil)
    }
}
