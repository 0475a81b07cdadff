import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

/// One unit up close: its top activations, each with the image it came from, the patch its
/// receptive field sees, and that activation projected back to pixels by the deconvnet and by
/// guided backprop (Zeiler & Fergus), drawn as the report draws them.
public struct UnitDetail: Codable, Sendable {
    public struct Activation: Codable, Sendable {
        public var value: Float
        public var `class`: String
        /// The image's index in the whole dataset.
        public var datasetIndex: Int
        /// Where in the layer's output (0, 0 for a dense unit).
        public var y: Int
        public var x: Int
        /// The receptive field in the image; nil for a dense unit, which sees the whole image.
        public var box: PatchBox?
        /// The whole image and the patch, gray PNG data URIs.
        public var image: String
        public var patch: String
        /// The projections cut to the patch, each on its unit's scale.
        public var deconvnet: DrawnMap
        public var guided: DrawnMap
    }

    public var model: String
    public var layer: UnitLayer
    public var unit: Int
    /// What the units were found in.
    public var images: String
    public var activations: [Activation]
    /// The projections' scales: one per rule, shared by the unit's patches (HTML with inline SVG).
    public var deconvnetColorBar: String
    public var guidedColorBar: String
}

extension UnitSearch {
    /// Unit `unit`'s top activations and their projections (one batched forward and two backward passes).
    public func detail(unit: Int) throws -> UnitDetail {
        let layer = gallery.layer
        guard let top = units.units.first(where: { $0.unit == unit }) else {
            throw StudioError(.notFound, "layer \(layer.name) has \(layer.units) units, numbered 0 to \(layer.units - 1); there is no unit \(unit)")
        }
        let projection: UnitProjections
        do { projection = try UnitProjections(network: network, layer: layer.name, top: top, images: images) } catch {
            throw StudioError(.failed, "projecting unit \(unit) of \(layer.name) failed: \(error)")
        }
        let indices = projection.activations.indices
        func patches(_ maps: Tensor) -> [Tensor] { indices.map { projection.patch(maps, item: $0).dropFirstAxis() } }
        let (shown, deconvnet, guided) = (patches(projection.images), patches(projection.deconvnet), patches(projection.guided))
        func scale(_ maps: [Tensor]) throws -> MapScale {
            MapScale.fitting(try maps.map { try ChannelReduction.sum.reduce($0) }, kind: .signed)
        }
        let (deconvnetScale, guidedScale) = (try scale(deconvnet), try scale(guided))
        let activations = try indices.map { index in
            let activation = projection.activations[index]
            return UnitDetail.Activation(
                value: activation.value, class: classNames[labels[activation.imageIndex]],
                datasetIndex: datasetIndices[activation.imageIndex], y: activation.y, x: activation.x, box: activation.box,
                image: try PNGImage.dataURI(projection.images.slice(index..<(index + 1)).dropFirstAxis(), scale: .unit),
                patch: try PNGImage.dataURI(shown[index], scale: .unit),
                deconvnet: PNGImage.signedMap(deconvnet[index], scale: deconvnetScale),
                guided: PNGImage.signedMap(guided[index], scale: guidedScale))
        }
        return UnitDetail(model: gallery.model, layer: layer, unit: unit, images: gallery.images, activations: activations,
                          deconvnetColorBar: ColorBar.html(deconvnetScale, label: "deconvnet projections (one scale for this unit)"),
                          guidedColorBar: ColorBar.html(guidedScale, label: "guided backprop projections (one scale for this unit)"))
    }
}
