import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

/// One attribution method's maps of a batch of images, each laid over its image on its own
/// scale: what `lens explain --method <attribution>` writes and prints.
public struct AttributionFigure: Codable, Sendable {
    public struct Item: Codable, Sendable {
        /// The image's name (file stem, or split-index-class).
        public var image: String
        public var trueClass: String?
        public var predicted: String
        /// The class explained.
        public var target: String
        public var targetProbability: Float
        public var convergenceDelta: Float?
        /// The input as the model saw it.
        @PictureField public var input: String
        /// The map over the input on this image's scale, or why it is not drawn (NaN, infinite, flat).
        public var map: DrawnMap
        /// The scale: "signed" (±bound) or "magnitude" (0...bound), robust when it clips the largest
        /// values; and its colour bar (HTML with inline SVG).
        public var scaleKind: String
        public var bound: Float
        public var robust: Bool
        /// The group whose scale this map is drawn on: the figure's `scaleGroup`, or a scale of the map's own
        /// when it would be too faint to read on its family's (`AttributionRow.faintFraction`).
        public var scaleGroup: String
        public var colorBar: String
    }

    public var model: String
    public var method: String
    public var title: String
    public var summary: String
    /// How each map's channels became one plane.
    public var reduction: String
    public var settings: [String: String]
    /// `AttributionFigure.scaleRule`.
    public var scaleRule: String
    /// The method family whose maps share each image's scale ("gradients"; otherwise the method's title).
    public var scaleGroup: String
    /// The inputs' shape [C, H, W].
    public var imageShape: [Int]
    /// The method's verdict on this model (randomisation, insertion against random), when measured.
    public var trust: TrustVerdict?
    public var items: [Item]

    /// The one colour-scale rule of attribution maps, the report's maps page's and the web app's per-family
    /// scale too: one scale per image and method family, fitted to that image's maps (robust: the 99th
    /// percentile of |value|). Per image, because gradients differ by orders of magnitude between images and
    /// a batch-wide scale would leave most maps blank; per family, so that maps of one kind can be compared.
    public static let scaleRule = "one scale per image and method family, fitted to that image's maps (99th percentile of |value|)"

    var pictureReduction: ChannelReduction { AttributionMethod(rawValue: method)?.pictureReduction ?? .maxAbsolute }

    /// Item `row`'s scale.
    func scale(of row: Int) -> MapScale {
        MapScale(kind: MapScale.Kind(rawValue: items[row].scaleKind) ?? .magnitude, bound: items[row].bound, isRobust: items[row].robust)
    }
}

extension AttributionFigure {
    /// `result`'s maps of `inputs` (name, [C, H, W] image, true label), drawn by the scale rule.
    init(_ result: AttributionResult, model: String, classes: [String], inputs: [(name: String, image: Tensor, label: Int?)]) throws {
        self = try Self.family([result], model: model, classes: classes, inputs: inputs)[0]
    }

    /// One figure per result, all of the same `inputs`, by the scale rule: on each image, the maps of
    /// one method family share a scale (what the report's maps page draws, a row per image). Each
    /// figure carries its method's trust record from `trust` when it has one, its verdict reconciled
    /// with `dataRandomisation` where that check ran (as the trust page's).
    public static func family(_ results: [AttributionResult], model: String, classes: [String],
                              inputs: [(name: String, image: Tensor, label: Int?)], trust: [MethodTrust] = [],
                              dataRandomisation: DataRandomisationReport? = nil) throws -> [AttributionFigure] {
        // rows[row]: the image's panels, a method's at its result's index, each family fitted together
        // (a map too faint to read on its family's scale moved to one of its own); scales[row][group].
        let rows = try inputs.indices.map { row in
            AttributionRow(panels: try results.map { try MapPanel(result: $0, item: row, reduction: $0.method.pictureReduction, scaleGroup: $0.method.scaleGroup) })
        }
        let scales = rows.map { Dictionary($0.scales(), uniquingKeysWith: { first, _ in first }) }
        return try results.enumerated().map { index, result in
            let method = result.method, reduction = method.pictureReduction
            let probabilities = SoftmaxCrossEntropy.probabilities(result.logits)
            let predicted = result.logits.argmaxRows()
            let items = try inputs.enumerated().map { row, input in
                let panel = rows[row].panels[index]
                let scale = scales[row][panel.scaleGroup] ?? MapScale(kind: reduction.scaleKind, bound: 1)
                let target = result.targets[row]
                let label = AttributionRow.colorBarLabel(panel.scaleGroup.isEmpty ? "this image's map" : panel.scaleGroup, scale)
                return Item(image: input.name, trueClass: input.label.map { classes[$0] }, predicted: classes[predicted[row]],
                            target: classes[target], targetProbability: probabilities.scalars[row * classes.count + target],
                            convergenceDelta: result.convergenceDelta?[row], input: try ImageInput.dataURI(input.image),
                            map: try PNGImage.map(panel.map, reduction: reduction, scale: scale, over: input.image),
                            scaleKind: scale.kind.rawValue, bound: scale.bound, robust: scale.isRobust,
                            scaleGroup: panel.scaleGroup, colorBar: ColorBar.html(scale, label: label))
            }
            return AttributionFigure(model: model, method: method.rawValue, title: method.title, summary: method.summary,
                                     reduction: reduction.title, settings: result.settings, scaleRule: scaleRule,
                                     scaleGroup: method.scaleGroup, imageShape: inputs.first?.image.shape ?? [],
                                     trust: trust.first { $0.method == method }.map { TrustVerdict($0, data: dataRandomisation?.method(method)?.verdict) },
                                     items: items)
        }
    }
}
