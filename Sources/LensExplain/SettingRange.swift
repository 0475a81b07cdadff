import LensModels

extension Array {
    /// The table's one range check, failing as `ExplainError.settingOutOfRange` like every other
    /// LensExplain check (same setting name, value and range as `SettingError`).
    func validate<Settings>(_ settings: Settings) throws where Element == KnobRow<Settings> {
        do { try check(settings) } catch let error as SettingError {
            throw ExplainError.settingOutOfRange(setting: error.setting, value: error.value, allowed: error.allowed)
        }
    }
}
