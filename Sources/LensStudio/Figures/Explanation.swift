import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

/// Attribution maps of one image drawn as the report draws them (LensRender's colormaps, channel
/// reductions and scale groups), each twice: on one colour scale shared by every map, and on its
/// method family's own scale; with each map's honesty badge and the image's nearest training images.
public struct Explanation: Codable, Sendable {
    /// A colour scale maps share, with its colour bar.
    public struct Scale: Codable, Sendable {
        /// The scale group (`AttributionMethod.scaleGroup`), or "" for the scale every map shares.
        public var group: String
        /// What the colour bar is captioned.
        public var label: String
        /// "signed" (diverging, zero white) or "magnitude" (sequential, zero black).
        public var kind: String
        public var low: Float
        public var high: Float
        /// Whether the bounds are the 99th percentile of |value| (larger values are clipped) rather than the largest.
        public var robust: Bool
        /// Powers of ten a logarithmic scale spans below `high` (the shared scale); nil: linear.
        public var logDecades: Int?
        /// The colour bar with its numbers, as inline SVG.
        public var colorBar: String

        init(group: String, label: String, _ scale: MapScale) {
            self.group = group
            self.label = AttributionRow.colorBarLabel(label, scale)
            kind = scale.kind.rawValue
            (low, high) = scale.range
            robust = scale.isRobust
            logDecades = scale.decades
            // A logarithmic bar has two more ticks, so it gets more room.
            colorBar = ColorBar.svg(scale, label: self.label, width: scale.decades == nil ? 240 : 380)
        }
    }

    public struct Map: Codable, Sendable {
        /// The method's API name (`AttributionMethod.rawValue`).
        public var method: String
        public var title: String
        public var summary: String
        /// How the map's channels became one plane ("max |·| over channels").
        public var reduction: String
        /// The group of `groupScales` that `groupImage` is drawn on.
        public var scaleGroup: String
        /// The map on `sharedScale`, as a PNG data URI; nil when `problem` says why there is no picture.
        public var image: String?
        /// The map on its group's scale.
        public var groupImage: String?
        /// Why the map is not drawn (NaN, infinite or every value equal).
        public var problem: String?
        /// The largest |value| of the drawn plane, before any scale clips it.
        public var maxMagnitude: Float
        /// The settings the method used, by name.
        public var settings: [String: String]
        /// Integrated gradients' convergence delta, when the method has one.
        public var convergenceDelta: Float?
        /// The map's own check, IG's delta, and its method's trust record on this model once measured.
        public var badge: TrustBadge
        /// The raw signed map [C, H, W] as row-major values, only when asked for.
        public var raw: [Float]?
    }

    public var prediction: Prediction
    /// The class the maps explain (the predicted one unless another was asked for).
    public var target: String
    /// The input as the model saw it, as a PNG data URI.
    public var input: String
    /// Shape of each raw map.
    public var shape: [Int]
    /// One scale over every map (robust: the 99th percentile of |value| over all of them).
    public var sharedScale: Scale
    /// One scale per method family, as on the report's maps page.
    public var groupScales: [Scale]
    /// What the colours mean (HTML).
    public var legend: String
    public var maps: [Map]
    /// The nearest training images, when the model's index is ready.
    public var nearest: NearestImages?
    /// "ready", "computing", or why there are no nearest images.
    public var nearestStatus: String
    /// "ready", "pending" (being measured, or not yet asked for: `GET /api/trust` starts it), or why
    /// the badges carry no trust record.
    public var trustStatus: String
}

/// What to explain and how.
public struct ExplanationRequest: Sendable {
    /// The methods to run, in registry order; nil: every method that can explain the model.
    public var methods: [AttributionMethod]?
    /// The class to explain by name; nil: the predicted class.
    public var targetClass: String?
    public var settings = AttributionSettings()
    /// Include each map's raw values.
    public var includeRaw = false
    /// The methods' trust records on this model, for the badges (empty until measured).
    public var trust: [MethodTrust] = []

    public init(methods: [AttributionMethod]? = nil, targetClass: String? = nil) {
        self.methods = methods
        self.targetClass = targetClass
    }
}

extension ModelFile {
    /// Attribution maps of `image` [C, H, W]. Works on its own copy of the network, so several
    /// explanations may run at once on one model file. Nearest images and statuses are left for
    /// the caller (`ModelLibrary.explanation`), which knows the model's background figures.
    public func explain(_ image: Tensor, _ request: ExplanationRequest = ExplanationRequest()) throws -> Explanation {
        guard case .network(var network) = model else {
            throw StudioError(.notApplicable, "attribution maps need a network (softmax, MLP or CNN); a \(provenance.kind.rawValue) model has no gradients")
        }
        let prediction = try prediction(image)
        let names = provenance.classNames
        var target = prediction.predictedIndex
        if let name = request.targetClass {
            guard let index = names.firstIndex(of: name) else {
                throw StudioError(.notFound, "no class named \"\(name)\"; the classes are \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? "…" : "")")
            }
            target = index
        }
        let batch = image.reshaped([1] + image.shape)
        var results: [AttributionResult] = []
        for method in request.methods ?? AttributionMethod.available(for: network.architecture) {
            do {
                results.append(try method.attribute(&network, inputs: batch, targets: [target], settings: request.settings))
            } catch let error as ExplainError {
                throw StudioError(.invalidInput, "\(method.title): \(error)")
            }
        }
        // Panels as the report's rows make them; the one shared scale is a row's scale with every panel in one group.
        // The row decides each panel's group: a faint gradient map is moved onto a scale of its own.
        let row = AttributionRow(panels: try results.map { try MapPanel(result: $0, item: 0, reduction: $0.method.pictureReduction, scaleGroup: $0.method.scaleGroup) })
        let panels = row.panels, groups = row.scales()
        let pooled = panels.map { panel -> MapPanel in var panel = panel; panel.scaleGroup = ""; return panel }
        // Logarithmic, because the methods' values differ by orders of magnitude (gradients beside
        // occlusion's score drops): on one linear scale the gradient maps would all read as zero.
        let shared = (AttributionRow(panels: pooled, separatingFaint: false).scales().first?.scale ?? MapScale(kind: .magnitude, bound: 1))
            .logarithmic(decades: MapScale.sharedDecades)
        let maps = try zip(results, panels).map { result, panel in
            let reduced = try panel.reduction.reduce(panel.map)
            return Explanation.Map(method: result.method.rawValue, title: result.method.title, summary: result.method.summary,
                                   reduction: panel.reduction.title, scaleGroup: panel.scaleGroup,
                                   image: try PNGImage.map(panel.map, reduction: panel.reduction, scale: shared).image,
                                   groupImage: try groups.first { $0.group == panel.scaleGroup }.flatMap { try PNGImage.map(panel.map, reduction: panel.reduction, scale: $0.scale).image },
                                   problem: MapHealth(panel.map).problem ?? MapHealth(reduced).problem,
                                   maxMagnitude: reduced.scalars.lazy.filter(\.isFinite).map(abs).max() ?? 0,
                                   settings: result.settings, convergenceDelta: result.convergenceDelta?.first,
                                   badge: TrustBadge(result: result, item: 0, trust: request.trust),
                                   raw: request.includeRaw ? result.maps.scalars : nil)
        }
        return Explanation(prediction: prediction, target: names[target], input: try ImageInput.dataURI(image), shape: image.shape,
                           sharedScale: Explanation.Scale(group: "", label: "every map", shared),
                           groupScales: groups.map { Explanation.Scale(group: $0.group, label: $0.group, $0.scale) },
                           legend: AttributionRow.colourMeaningHTML, maps: maps, nearest: nil, nearestStatus: "not asked",
                           trustStatus: request.trust.isEmpty ? "pending" : "ready")
    }
}
