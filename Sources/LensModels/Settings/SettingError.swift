/// A setting given a value outside its declared range: the setting in the user's words, the value
/// given and the range. The CLI puts the flag in front; the server answers it as a 400.
public struct SettingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var setting: String
    public var value: String
    public var allowed: String

    public init(setting: String, value: String, allowed: String) {
        self.setting = setting
        self.value = value
        self.allowed = allowed
    }

    public var description: String { "\(setting) \(value) is out of range: \(allowed)" }
}
