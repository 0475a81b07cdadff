import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

/// One unit up close: its top activations, each with the image it came from, the patch its
/// receptive field sees, and that activation projected back to pixels by the deconvnet and by
/// guided backprop (Zeiler & Fergus). The one unit figure: the web app's unit page, the report's
/// units page and `lens explain --method units` all draw this value.
public struct UnitDetail: Codable, Sendable {
    public struct Activation: Codable, Sendable {
        public var value: Float
        public var `class`: String
        /// The image's index in the whole dataset (in the images searched for a report).
        public var datasetIndex: Int
        /// Where in the layer's output (0, 0 for a dense unit).
        public var y: Int
        public var x: Int
        /// The receptive field in the image; nil for a dense unit, which sees the whole image.
        public var box: PatchBox?
        /// The patch's height and width in pixels (the whole image for a dense unit).
        public var patchSize: [Int]
        /// The whole image and the patch, gray PNG data URIs.
        @PictureField public var image: String
        @PictureField public var patch: String
        /// The projections cut to the patch, each on its unit's scale.
        public var deconvnet: DrawnMap
        public var guided: DrawnMap
    }

    public var model: String
    public var layer: UnitLayer
    public var unit: Int
    /// What the units were found in.
    public var images: String
    /// On how many of the `imageCount` images searched the unit fires (its strongest activation
    /// above zero), whether that makes it dead or rare, and that said in words.
    public var firingImages: Int
    public var imageCount: Int
    public var activity: UnitActivity
    public var activityWords: String
    /// Its strongest activations that fired, strongest first: none for a dead unit (no arbitrary
    /// images at activation 0), only its few for a rare one.
    public var activations: [Activation]
    /// `UnitDetail.scaleRule`, said with the figure.
    public var scaleRule: String
    /// The projections' scales (±bound): one per rule, shared by the unit's patches.
    public var deconvnetBound: Float
    public var guidedBound: Float
    /// Their colour bars (HTML with inline SVG).
    public var deconvnetColorBar: String
    public var guidedColorBar: String

    /// The one colour-scale rule of every unit figure. Per unit, because the figure asks which pixels
    /// of a patch drive this unit and how its patches compare with each other: one scale per picture
    /// would make a weak activation's projection look as strong as the top one, and one scale per
    /// layer would wash out every unit whose projections are small beside the layer's strongest.
    public static let scaleRule = "one symmetric scale per unit and projection rule, fitted to that unit's patches (channels summed)"
}

extension UnitDetail {
    /// Draws `projection` (a unit's top activations projected to pixels) on the unit's scales.
    /// `classOf` and `datasetIndex` name an activation's image by its index in the images searched.
    /// Unit `top` of `layer` (found in `imageCount` images): its firing activations projected, or
    /// for a dead unit the figure that says so, with nothing projected.
    init(top: UnitTop, imageCount: Int, network: Network, searched: Tensor, model: String, layer: UnitLayer, images: String,
         classOf: (Int) -> String, datasetIndex: (Int) -> Int) throws {
        let firing = UnitTop(unit: top.unit, top: top.firing, firingImages: top.firingImages, largestMean: top.largestMean)
        let activity = UnitActivity(firingImages: top.firingImages, of: imageCount)
        guard !firing.top.isEmpty else {
            self.init(model: model, layer: layer, unit: top.unit, images: images, firingImages: top.firingImages, imageCount: imageCount,
                      activity: activity, activityWords: UnitActivity.words(firingImages: top.firingImages, of: imageCount),
                      activations: [], scaleRule: Self.scaleRule, deconvnetBound: 0, guidedBound: 0,
                      deconvnetColorBar: "", guidedColorBar: "")
            return
        }
        let projection: UnitProjections
        do { projection = try UnitProjections(network: network, layer: layer.name, top: firing, images: searched) } catch {
            throw StudioError(.failed, "projecting unit \(top.unit) of \(layer.name) failed: \(error)")
        }
        try self.init(projection: projection, firingImages: top.firingImages, imageCount: imageCount, model: model, layer: layer,
                      images: images, classOf: classOf, datasetIndex: datasetIndex)
    }

    private init(projection: UnitProjections, firingImages: Int, imageCount: Int, model: String, layer: UnitLayer, images: String,
                 classOf: (Int) -> String, datasetIndex: (Int) -> Int) throws {
        let indices = projection.activations.indices
        func patches(_ maps: Tensor) -> [Tensor] { indices.map { projection.patch(maps, item: $0).dropFirstAxis() } }
        let (shown, deconvnet, guided) = (patches(projection.images), patches(projection.deconvnet), patches(projection.guided))
        func scale(_ maps: [Tensor]) throws -> MapScale {
            MapScale.fitting(try maps.map { try ChannelReduction.sum.reduce($0) }, kind: .signed)
        }
        let (deconvnetScale, guidedScale) = (try scale(deconvnet), try scale(guided))
        let activations = try indices.map { index in
            let activation = projection.activations[index]
            return Activation(
                value: activation.value, class: classOf(activation.imageIndex), datasetIndex: datasetIndex(activation.imageIndex),
                y: activation.y, x: activation.x, box: activation.box, patchSize: Array(shown[index].shape.suffix(2)),
                image: try PNGImage.dataURI(projection.images.slice(index..<(index + 1)).dropFirstAxis(), scale: .unit),
                patch: try PNGImage.dataURI(shown[index], scale: .unit),
                deconvnet: PNGImage.signedMap(deconvnet[index], scale: deconvnetScale),
                guided: PNGImage.signedMap(guided[index], scale: guidedScale))
        }
        self.init(model: model, layer: layer, unit: projection.unit, images: images, firingImages: firingImages, imageCount: imageCount,
                  activity: UnitActivity(firingImages: firingImages, of: imageCount),
                  activityWords: UnitActivity.words(firingImages: firingImages, of: imageCount), activations: activations,
                  scaleRule: Self.scaleRule, deconvnetBound: deconvnetScale.bound, guidedBound: guidedScale.bound,
                  deconvnetColorBar: ColorBar.html(deconvnetScale, label: "deconvnet projections (one scale for this unit)"),
                  guidedColorBar: ColorBar.html(guidedScale, label: "guided backprop projections (one scale for this unit)"))
    }
}

extension UnitSearch {
    /// Unit `unit`'s top activations and their projections (one batched forward and two backward passes).
    public func detail(unit: Int) throws -> UnitDetail {
        let layer = gallery.layer
        guard let top = units.units.first(where: { $0.unit == unit }) else {
            throw StudioError(.notFound, "layer \(layer.name) has \(layer.units) units, numbered 0 to \(layer.units - 1); there is no unit \(unit)")
        }
        return try UnitDetail(top: top, imageCount: units.imageCount, network: network, searched: images, model: gallery.model,
                              layer: layer, images: gallery.images, classOf: { classNames[labels[$0]] },
                              datasetIndex: { datasetIndices[$0] })
    }
}
