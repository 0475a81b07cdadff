import Foundation
import LensExplain
import LensModels
import LensTensor

/// Every unit of one layer at a glance: per unit, its top patches (Zeiler & Fergus) in one
/// thumbnail and its strongest activation, found in a modest set of training images.
public struct UnitGallery: Codable, Sendable {
    public struct Unit: Codable, Sendable {
        public var unit: Int
        /// Its strongest activation over the images searched; at most 0: it never fired on them.
        public var top: Float
        /// The class of the image it fired on most.
        public var `class`: String
        /// On how many of the images searched it fires, and whether that makes it dead or rare.
        public var firingImages: Int
        public var activity: UnitActivity
        /// Its top patches that fired (at most `thumbnailPatches`, strongest first, left to right
        /// then down) as one PNG data URI; border-cut patches are padded with mid gray. Empty for a
        /// dead unit: its "top" patches would be arbitrary ones at activation 0.
        public var thumbnail: String
    }

    public var model: String
    public var layer: UnitLayer
    /// What the units were found in, for the page to say.
    public var images: String
    public var imageCount: Int
    /// Activations kept per unit (the patches of a unit's page).
    public var topImages: Int
    /// How long finding the units and drawing the thumbnails took.
    public var seconds: Double
    /// The layer's dead and rare units, counted and said in words (as in the report).
    public var deadUnits: Int
    public var rareUnits: Int
    public var activitySummary: String
    public var units: [Unit]

    /// Training images searched, at most: every unit of the demo CNN in seconds on a laptop.
    public static let maxImages = 1000
    /// Patches per thumbnail (a 2x2 mosaic), and the largest side of one patch in it (wider patches
    /// are averaged down by a whole factor).
    public static let thumbnailPatches = 4
    public static let thumbnailPatchSide = 32
}

/// A layer's units found in the images searched, kept so that any unit's projections can be drawn
/// on demand: the value `ModelLibrary` computes once per model and layer in the background.
public struct UnitSearch: Sendable {
    public var gallery: UnitGallery
    var network: Network
    var units: LayerUnits
    /// [N, C, H, W]: the images searched, their labels and their indices in the whole dataset.
    var images: Tensor
    var labels: [Int]
    var datasetIndices: [Int]
    var classNames: [String]

    /// Finds every unit of `layer` in at most `UnitGallery.maxImages` of `dataset`'s training
    /// images, evenly spread over its training split.
    public init(model id: String, network: Network, layer: UnitLayer, dataset: StudioDataset) throws {
        let started = Date()
        let train = dataset.split.train
        guard !train.isEmpty else {
            throw StudioError(.invalidInput, "the training split of \(dataset.source.name) is empty: there are no images to find units in")
        }
        let chosen = Self.spread(train, limit: UnitGallery.maxImages)
        let images = dataset.images(chosen)
        var settings = InspectionSettings()
        settings.topImages = min(settings.topImages, chosen.count)
        let units: LayerUnits
        do { units = try LayerUnits(network: network, layer: layer.name, images: images, settings: settings) } catch {
            throw StudioError(.failed, "finding the units of \(layer.name) failed: \(error)")
        }
        let labels = dataset.labels(chosen)
        let classNames = dataset.data.classNames
        let described = chosen.count == train.count
            ? "the \(train.count) training images of \(dataset.source.name)"
            : "\(chosen.count) of the \(train.count) training images of \(dataset.source.name), evenly spread"
        let thumbnails = try units.units.map { top in
            top.firing.isEmpty ? "" : try PNGImage.dataURI(UnitThumbnail.mosaic(top.firing.prefix(UnitGallery.thumbnailPatches).map { activation in
                UnitThumbnail.cell(images.slice(activation.imageIndex..<(activation.imageIndex + 1)), box: activation.box)
            }), scale: .unit)
        }
        let activity = UnitActivityCount(units)
        let gallery = UnitGallery(
            model: id, layer: layer, images: described, imageCount: chosen.count, topImages: settings.topImages,
            seconds: Date().timeIntervalSince(started), deadUnits: activity.dead.count, rareUnits: activity.rare.count,
            activitySummary: activity.summary(in: described),
            units: zip(units.units, thumbnails).map { top, thumbnail in
                UnitGallery.Unit(unit: top.unit, top: top.top.first?.value ?? 0,
                                 class: top.firing.first.map { classNames[labels[$0.imageIndex]] } ?? "",
                                 firingImages: top.firingImages, activity: units.activity(of: top), thumbnail: thumbnail)
            })
        self.init(gallery: gallery, network: network, units: units, images: images, labels: labels,
                  datasetIndices: chosen, classNames: classNames)
    }

    init(gallery: UnitGallery, network: Network, units: LayerUnits, images: Tensor, labels: [Int], datasetIndices: [Int],
         classNames: [String]) {
        self.gallery = gallery
        self.network = network
        self.units = units
        self.images = images
        self.labels = labels
        self.datasetIndices = datasetIndices
        self.classNames = classNames
    }

    /// At most `limit` of `indices`, evenly spaced (every class of a stratified split keeps its share).
    static func spread(_ indices: [Int], limit: Int) -> [Int] {
        guard indices.count > limit else { return indices }
        return (0..<limit).map { indices[$0 * indices.count / limit] }
    }
}
