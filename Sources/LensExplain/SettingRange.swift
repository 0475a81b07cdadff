/// Throws `ExplainError.settingOutOfRange` naming the setting and its range unless `range` holds
/// `value` (a NaN is never in range). One wording for every settings type's `validate()`.
func checkSetting<T: Comparable>(_ name: String, _ value: T, _ range: ClosedRange<T>) throws {
    guard range.contains(value) else {
        throw ExplainError.settingOutOfRange(setting: name, value: "\(value)",
                                             allowed: "between \(range.lowerBound) and \(range.upperBound)")
    }
}
