import Foundation
import LensExplain
import LensModels
import LensTensor

/// What a unit wants to see: the images gradient ascent made for it (Olah et al. 2017), beside its
/// top natural patches drawn the same size, how far each image gets against the best natural
/// image, and the path check (Geirhos et al. 2023) with its badge. The one figure of
/// `lens explain --method feature-vis`, the report's and the web app's units pages.
public struct FeatureVisFigure: Codable, Sendable {
    public struct SyntheticImage: Codable, Sendable {
        /// PNG data URI, [C, H, W] in [0, 1]: the part of the image the objective sees (`field`),
        /// drawn at the image's size as the natural patches are.
        @PictureField public var image: String
        /// The objective this image reaches without transformations.
        public var reached: Float
        /// `reached` ÷ `topNaturalActivation`.
        public var activationRatio: Float
        /// For a class: its probability under random jitter, scale and rotation (mean of 16).
        public var classProbability: Float?
        /// Per layer up to the unit's: this image's mean Spearman correlation with the top natural images, and with random ones.
        public var pathSimilarity: [LayerValue]
        public var pathBaseline: [LayerValue]
        /// This image's own path check (`PathCheck.Verdict`'s words).
        public var badge: String
    }

    public struct LayerValue: Codable, Sendable, Equatable {
        public var layer: String
        public var value: Double
    }

    public struct NaturalImage: Codable, Sendable {
        /// The patch the unit's receptive field sees (the whole image for a dense unit or a class).
        @PictureField public var patch: String
        public var datasetIndex: Int
        public var `class`: String
    }

    public var model: String
    /// "channel 3 of relu1", "unit 5 of fc1" or "class s12".
    public var objective: String
    public var layer: String?
    public var index: Int
    public var images: [SyntheticImage]
    public var topNaturalActivation: Float
    public var natural: [NaturalImage]
    /// `PathCheck.Verdict`'s words for the images pooled: "natural path" or "another path".
    public var badge: String
    public var settings: FeatureVisSettings
    /// The part of the synthetic images drawn: the receptive field of the position a unit of a
    /// spatial layer reads (clipped to the image); nil when the objective sees the whole image.
    public var field: PatchBox?
    /// Mean objective per step (under that step's transformations).
    public var trace: [Float]
    /// What the natural images were searched in.
    public var searched: String
}

extension FeatureVisFigure.SyntheticImage {
    /// "1.45× the top natural", or words when no natural image excites the unit: its top
    /// natural activation is 0, so the ratio has nothing to divide by (a dead unit).
    public var ratioWords: String {
        activationRatio.isFinite ? String(format: "%.2f× the top natural", activationRatio) : "no natural image excites this unit"
    }
}

extension FeatureVisFigure {
    /// Natural patches drawn beside the synthetic images: the unit's top 9 (issue 20).
    public static let naturalPatchCount = 9

    /// "channel 3 of relu1" (its mean), "channel 3 of relu1 at the centre" (one position), "unit 5 of fc1", "class s12".
    public static func describe(_ objective: FeatureObjective, classNames: [String], network: Network) -> String {
        switch objective {
        case let .channel(layer, c): "channel \(c) of \(layer)"
        case let .unit(layer, u):
            (try? objective.receptiveBox(in: network)) != nil ? "channel \(u) of \(layer) at the centre" : "unit \(u) of \(layer)"
        case let .classLogit(c): "class " + (c < classNames.count ? classNames[c] : "\(c)")
        }
    }

    /// Draws `report`; `images` are the natural images it searched (rows of `labels`, `datasetIndices`).
    /// `naturalPatches` false leaves `natural` empty, for a page that draws the unit's patches already.
    public init(_ report: FeatureVisReport, model: String, network: Network, images: Tensor, labels: [Int], classNames: [String],
                datasetIndices: [Int], searched: String, settings: FeatureVisSettings, naturalPatches: Bool = true) throws {
        let objective = report.synthetic.objective
        let check = report.pathCheck
        let count = report.synthetic.images.shape[0]
        let side = network.architecture.inputShape.count == 3 ? network.architecture.inputShape[1] : 1
        var synthetic: [SyntheticImage] = []
        for i in 0..<count {
            let path = i < check.images.count ? check.images[i] : PathCheck.ImagePath(layers: check.layers, verdict: check.verdict)
            var picture = report.synthetic.images.slice(i..<(i + 1)).dropFirstAxis()
            // one position's unit: the motif inside its receptive field, at the natural patches' scale
            if let field = report.synthetic.field { picture = Self.resize(Self.crop(picture, box: field), to: side) }
            synthetic.append(SyntheticImage(
                image: try PNGImage.dataURI(picture, scale: .unit),
                reached: report.synthetic.reached[i], activationRatio: report.activationRatio[i],
                classProbability: report.synthetic.classProbability?[i],
                pathSimilarity: path.layers.map { LayerValue(layer: $0.layer, value: $0.natural) },
                pathBaseline: path.layers.map { LayerValue(layer: $0.layer, value: $0.baseline) }, badge: path.verdict.rawValue))
        }
        // natural patches: the receptive field of the unit's strongest position, else the whole image
        var naturals: [NaturalImage] = []
        // the report's own search of the unit: its top images, no second search
        for activation in naturalPatches ? Array(report.natural.top.prefix(Self.naturalPatchCount)) : [] {
            var picture = images.slice(activation.imageIndex..<(activation.imageIndex + 1)).dropFirstAxis()
            if let box = activation.box { picture = Self.crop(picture, box: box) }
            // the same size as the synthetic image: nearest-neighbour enlargement of the patch
            picture = Self.resize(picture, to: side)
            let label = activation.imageIndex < labels.count ? labels[activation.imageIndex] : 0
            naturals.append(NaturalImage(patch: try PNGImage.dataURI(picture, scale: .unit),
                                         datasetIndex: activation.imageIndex < datasetIndices.count ? datasetIndices[activation.imageIndex] : activation.imageIndex,
                                         class: label < classNames.count ? classNames[label] : ""))
        }
        self.init(model: model, objective: Self.describe(objective, classNames: classNames, network: network), layer: objective.layer,
                  index: objective.index, images: synthetic, topNaturalActivation: report.topNaturalActivation, natural: naturals,
                  badge: check.verdict.rawValue, settings: settings, field: report.synthetic.field, trace: report.synthetic.trace,
                  searched: searched)
    }

    /// [C, H, W] cut to `box`.
    static func crop(_ image: Tensor, box: PatchBox) -> Tensor {
        let (channels, width) = (image.shape[0], image.shape[2])
        var scalars = [Float]()
        for c in 0..<channels {
            for y in box.top..<(box.top + box.height) {
                for x in box.left..<(box.left + box.width) { scalars.append(image.scalars[(c * image.shape[1] + y) * width + x]) }
            }
        }
        return Tensor(shape: [channels, box.height, box.width], scalars: scalars)
    }

    /// [C, h, w] to [C, side, side] by nearest neighbour.
    static func resize(_ image: Tensor, to side: Int) -> Tensor {
        let (channels, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        guard h != side || w != side, h > 0, w > 0 else { return image }
        var scalars = [Float](repeating: 0, count: channels * side * side)
        for c in 0..<channels {
            for y in 0..<side {
                for x in 0..<side { scalars[(c * side + y) * side + x] = image.scalars[(c * h + y * h / side) * w + x * w / side] }
            }
        }
        return Tensor(shape: [channels, side, side], scalars: scalars)
    }
}

extension FeatureVisFigure.SyntheticImage {
    /// The path check in one line: the badge, then the mean over layers against top and random natural images.
    public var pathWords: String { badge + " (" + pathFigures + ")" }

    /// The path check's figures alone, for a card whose frame already names the badge: "r 0.85 vs 0.40 random".
    public var pathFigures: String {
        let count = Double(max(pathSimilarity.count, 1))
        return String(format: "r %.2f vs %.2f random", pathSimilarity.map(\.value).reduce(0, +) / count,
                      pathBaseline.map(\.value).reduce(0, +) / count)
    }
}
