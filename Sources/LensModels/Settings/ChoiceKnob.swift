/// A setting that takes one of a few names (an optimizer, a baseline), declared once like a `Knob`.
public struct ChoiceKnob<Value: RawRepresentable & CaseIterable & Sendable & Equatable>: Sendable where Value.RawValue == String {
    public let key: String
    public let name: String
    public let defaultValue: Value
    public let help: String
    public let models: [ModelKind]?
    public let perModel: [ModelDefault<Value>]

    public init(_ key: String, name: String, default defaultValue: Value, help: String, models: [ModelKind]? = nil,
                perModel: [ModelDefault<Value>] = []) {
        self.key = key
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
        self.models = models
        self.perModel = perModel
    }

    public func defaultValue(for kind: ModelKind, _ scale: DataScale) -> Value {
        ModelDefault.value(in: perModel, for: kind, scale) ?? defaultValue
    }

    public var choices: [String] { Value.allCases.map(\.rawValue) }

    /// The value called `text`, or an error naming this setting and listing the choices.
    public func value(named text: String) throws -> Value {
        guard let value = Value(rawValue: text) else {
            throw SettingError(setting: name, value: text, allowed: "choose one of \(choices.joined(separator: ", "))")
        }
        return value
    }
}

/// A setting that is on or off (off unless given).
public struct SwitchKnob: Sendable {
    public let key: String
    public let name: String
    public let help: String
    public let models: [ModelKind]?

    public init(_ key: String, name: String, help: String, models: [ModelKind]? = nil) {
        self.key = key
        self.name = name
        self.help = help
        self.models = models
    }
}
