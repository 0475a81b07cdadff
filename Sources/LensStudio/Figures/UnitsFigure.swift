import Foundation
import LensExplain
import LensModels
import LensTensor

/// The first units of one layer, each as its `UnitDetail` (top patches and their projections on
/// the unit's own scale): what the report's units page and `lens explain --method units` draw.
public struct UnitsFigure: Codable, Sendable {
    public var model: String
    public var layer: UnitLayer
    /// What the units were found in, and how many images.
    public var images: String
    public var imageCount: Int
    /// `UnitDetail.scaleRule`: every unit of the figure is drawn by it.
    public var scaleRule: String
    public var units: [UnitDetail]
}

extension UnitsFigure {
    /// Units `units` (nil: every one) of `layer`, found in `images` [N, C, H, W] with `labels`;
    /// `datasetIndices` gives each image's index in its dataset (nil: its position in `images`).
    public init(model: String, network: Network, layer name: String, images: Tensor, labels: [Int], classNames: [String],
                datasetIndices: [Int]? = nil, described: String, units: [Int]? = nil,
                settings: InspectionSettings = InspectionSettings()) throws {
        let layer = try UnitLayer.named(name, in: network.architecture)
        var settings = settings
        settings.topImages = min(settings.topImages, max(images.shape.first ?? 1, 1))
        let found = try LayerUnits(network: network, layer: name, images: images, units: units, settings: settings)
        let className = { (index: Int) in index < labels.count && labels[index] < classNames.count ? classNames[labels[index]] : "" }
        let details = try found.projections(network: network, images: images).map { projection in
            try UnitDetail(projection: projection, model: model, layer: layer, images: described, classOf: className,
                           datasetIndex: { datasetIndices?[$0] ?? $0 })
        }
        self.init(model: model, layer: layer, images: described, imageCount: found.imageCount,
                  scaleRule: UnitDetail.scaleRule, units: details)
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
