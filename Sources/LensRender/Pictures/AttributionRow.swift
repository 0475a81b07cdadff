import Foundation
import LensExplain
import LensTensor

/// One method's map in an attribution row: the raw map, how its channels are reduced for the
/// picture, and the exact settings that made it (written under the picture).
public struct MapPanel: Sendable {
    public var title: String
    /// The raw signed map [C, H, W] (or [H, W]) at the input's resolution.
    public var map: Tensor
    public var reduction: ChannelReduction
    /// One line: "steps: 50 · rule: gauss-legendre".
    public var settings: String
    /// A figure that belongs to the map (IG's convergence delta).
    public var note: String?
    /// Panels of a row with the same group share one scale; by default all of a row's panels do.
    /// Give methods whose values have different units (a gradient, a probability drop) their own groups.
    public var scaleGroup: String

    public init(title: String, map: Tensor, reduction: ChannelReduction, settings: String, note: String? = nil, scaleGroup: String = "") {
        self.title = title
        self.map = map
        self.reduction = reduction
        self.settings = settings
        self.note = note
        self.scaleGroup = scaleGroup
    }

    /// Item `item` of a method's result, with its settings line and (IG) convergence delta.
    public init(result: AttributionResult, item: Int, reduction: ChannelReduction, scaleGroup: String = "") throws {
        guard result.maps.rank >= 3, (0..<result.maps.shape[0]).contains(item) else {
            throw MapRenderError("\(result.method.title) has maps \(result.maps.shape); there is no item \(item)")
        }
        let delta = result.convergenceDelta.flatMap { item < $0.count ? $0[item] : nil }
        self.init(title: result.method.title, map: result.maps.slice(item..<(item + 1)).reshaped(Array(result.maps.shape.dropFirst())),
                  reduction: reduction, settings: Self.settingsLine(result.settings),
                  note: delta.map { "convergence δ = " + MapNumber.format($0) }, scaleGroup: scaleGroup)
    }

    /// "key: value" pairs in key order, joined by " · ".
    public static func settingsLine(_ settings: [String: String]) -> String {
        settings.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " · ")
    }

    /// The reduced map if the panel can be drawn, so that it counts towards its row's scale.
    var drawableReduction: Tensor? {
        guard MapHealth(map).isDrawable, let reduced = try? reduction.reduce(map), MapHealth(reduced).isDrawable else { return nil }
        return reduced
    }
}

/// Every method's map of one input, each group of maps on one shared colour scale fitted
/// to this row (robust by default; maps that cannot be drawn stay out of it). LensStudio's
/// `AttributionFigure` draws the row and `ExplanationPages.attributionRows` writes it.
public struct AttributionRow: Sendable {
    public var panels: [MapPanel]
    /// Scale at the 99th percentile of |v| (see `MapScale.fitting`) rather than the largest |v|.
    public var robust: Bool

    /// A panel whose own scale would reach less than this fraction of its group's is drawn on a scale of its
    /// own: below it the group's colours leave the map's strongest pixels so pale that nobody can read it.
    public static let faintFraction: Float = 0.5

    /// `panels` as given, except that a faint member of a shared group moves to a group of its own
    /// (`faintFraction`), named so that its colour bar says how much weaker it is than the group; with
    /// `separatingFaint` false every panel keeps its group (a scale that must hold every map).
    public init(panels: [MapPanel], robust: Bool = true, separatingFaint: Bool = true) {
        self.robust = robust
        self.panels = panels
        guard separatingFaint else { return }
        let shared = Dictionary(scales().map { ($0.group, $0.scale) }, uniquingKeysWith: { first, _ in first })
        for index in self.panels.indices {
            let panel = self.panels[index]
            guard let groupScale = shared[panel.scaleGroup], self.panels.filter({ $0.scaleGroup == panel.scaleGroup }).count > 1,
                  let reduced = panel.drawableReduction else { continue }
            let own = MapScale.fitting([reduced], kind: groupScale.kind, robust: robust)
            guard own.bound < Self.faintFraction * groupScale.bound else { continue }
            let group = panel.scaleGroup
            let name = group.isEmpty ? "the row's" : "the " + group + (group.hasSuffix("s") ? "'" : "'s")
            self.panels[index].scaleGroup = "\(panel.title) on a scale of its own (\(MapNumber.format(own.bound / groupScale.bound))× \(name) scale)"
        }
    }

    /// The row's scales by group, in the order the groups first appear: signed if any panel of the
    /// group is signed (magnitudes then use its upper half), fitted to the drawable panels only.
    public func scales() -> [(group: String, scale: MapScale)] {
        var groups: [String] = []
        for panel in panels where !groups.contains(panel.scaleGroup) { groups.append(panel.scaleGroup) }
        return groups.map { group in
            let members = panels.filter { $0.scaleGroup == group }
            let kind: MapScale.Kind = members.contains { $0.reduction.scaleKind == .signed } ? .signed : .magnitude
            let maps = members.compactMap(\.drawableReduction)
            return (group, MapScale.fitting(maps, kind: kind, robust: robust))
        }
    }

    /// A colour bar's caption: the scale's name, and where a robust scale clips.
    public static func colorBarLabel(_ name: String, _ scale: MapScale) -> String {
        name + (scale.isRobust ? " (clipped at the \(Int(MapScale.robustPercentile))th percentile of |v|)" : "")
            + (scale.decades.map { "; logarithmic over \($0) powers of ten, |v| below \(MapNumber.format(scale.bound / pow(10, Float($0)))) drawn as zero" } ?? "")
    }

    /// What the colours of a map mean, whatever page it is on.
    public static let colourMeaningHTML = """
    Signed maps: <span style="color:#b2182b">red</span> raises the target class's score, \
    <span style="color:#2166ac">blue</span> lowers it, white is zero. Magnitude maps alone (sign dropped) \
    run from black (zero) to yellow (largest); on a scale shared with signed maps they use its white-to-red half. \
    A hatched box means there is no honest picture to show.
    """

    /// What the colours mean, once per page above the rows.
    public static let legendHTML = "<p class=note>" + colourMeaningHTML
        + " The maps of a row share the scale of the colour bar at its end, so their strengths can be compared;"
        + " a map that would be too faint to read on it gets a scale of its own, whose bar says how much weaker it is.</p>"
}
