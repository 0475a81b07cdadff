import LensExplain
import LensModels

extension AttributionSettings {
    /// The knobs a request may set by key (the Explain page's settings form, query strings):
    /// each parsed and checked by its declaration.
    public static let requestKeys = [
        Knobs.integrationSteps.key, Knobs.integrationRule.key, Knobs.baseline.key, Knobs.blurSigma.key,
        Knobs.smoothGradSamples.key, Knobs.smoothGradNoise.key, Knobs.occlusionWindow.key, Knobs.occlusionStride.key,
    ]

    /// These settings with the knob `key` set from `text`; an unknown key or a value its
    /// declaration refuses is an error naming the setting and its range.
    public mutating func set(_ key: String, from text: String) throws {
        do {
            switch key {
            case Knobs.integrationSteps.key: integrationSteps = try Knobs.integrationSteps.parse(text)
            case Knobs.integrationRule.key: integrationRule = try Knobs.integrationRule.value(named: text)
            case Knobs.baseline.key: baseline = try Knobs.baseline.value(named: text)
            case Knobs.blurSigma.key: blurSigma = try Knobs.blurSigma.parse(text)
            case Knobs.smoothGradSamples.key: smoothGradSamples = try Knobs.smoothGradSamples.parse(text)
            case Knobs.smoothGradNoise.key: smoothGradNoise = try Knobs.smoothGradNoise.parse(text)
            case Knobs.occlusionWindow.key: occlusionWindow = try Knobs.occlusionWindow.parse(text)
            case Knobs.occlusionStride.key: occlusionStride = try Knobs.occlusionStride.parse(text)
            default:
                throw StudioError(.invalidInput, "no attribution setting \"\(key)\"; the settings are \(Self.requestKeys.joined(separator: ", "))")
            }
        } catch let error as SettingError {
            throw StudioError(.invalidInput, "\(error)")
        }
    }
}
