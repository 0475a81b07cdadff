import LensExplain
import LensModels

/// Every knob a person can turn, by section, from the one declaration of each: what
/// /api/settings answers, so that the web forms draw their inputs, limits and defaults from the
/// same place as the CLI's flags and the library's checks.
public struct SettingsCatalog: Codable, Sendable, Equatable {
    /// How much training data the defaults are for: pick a knob's `per_model` entry of this scale.
    public var dataScale: DataScale?
    public var training: [SettingInfo]
    public var attribution: [SettingInfo]
    public var inspection: [SettingInfo]
    public var trust: [SettingInfo]
    /// What a command reads and how much `lens explain` shows (`StudioKnobs`).
    public var explain: [SettingInfo]
    /// Feature visualisation (`FeatureVisSettings`).
    public var featureVis: [SettingInfo]
    /// The embedding view: t-SNE's knobs, then the view's own (`EmbeddingSettings`).
    public var embedding: [SettingInfo]

    public init(dataScale: DataScale? = nil) {
        self.dataScale = dataScale
        training = TrainingKnobs.all
        attribution = AttributionSettings.Knobs.all
        inspection = InspectionSettings.Knobs.all
        trust = TrustSettings.Knobs.all
        explain = StudioKnobs.all
        featureVis = FeatureVisSettings.Knobs.all
        embedding = TSNESettings.Knobs.all + EmbeddingSettings.Knobs.all
    }

    /// The knob with `key` in `section` ("training", "attribution", "inspection", "trust", "explain", "feature_vis", "embedding").
    public func setting(_ section: String, _ key: String) -> SettingInfo? {
        let settings: [SettingInfo] = switch section {
        case "training": training
        case "attribution": attribution
        case "inspection": inspection
        case "trust": trust
        case "explain": explain
        case "feature_vis": featureVis
        case "embedding": embedding
        default: []
        }
        return settings.first { $0.key == key }
    }
}
