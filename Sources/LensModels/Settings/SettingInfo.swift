/// One setting as /api/settings gives it and the web forms read it: everything a form needs to
/// draw an input with its limits and default, from the one declaration.
public struct SettingInfo: Codable, Sendable, Equatable {
    public var key: String
    public var name: String
    /// "integer", "number", "choice" or "switch".
    public var type: String
    public var defaultValue: SettingValue
    /// The recipe's defaults where they differ from `defaultValue`.
    public var perModel: [PerModel]?
    public var min: SettingValue?
    public var max: SettingValue?
    public var choices: [String]?
    public var unit: String?
    public var help: String
    /// The model kinds it applies to; nil: all.
    public var models: [String]?

    public struct PerModel: Codable, Sendable, Equatable {
        public var model: String
        public var data: DataScale
        public var value: SettingValue

        public init(model: String, data: DataScale, value: SettingValue) {
            self.model = model
            self.data = data
            self.value = value
        }
    }

    enum CodingKeys: String, CodingKey {
        case key, name, type, defaultValue = "default", perModel, min, max, choices, unit, help, models
    }

    public init<Value>(_ knob: Knob<Value>) {
        key = knob.key
        name = knob.name
        type = Value.typeName
        defaultValue = knob.defaultValue.settingValue
        perModel = Self.perModel(knob.perModel) { $0.settingValue }
        min = knob.range.lowerBound.settingValue
        max = knob.range.upperBound.settingValue
        unit = knob.unit
        help = knob.help
        models = knob.models?.map(\.rawValue)
    }

    public init<Value>(_ knob: ChoiceKnob<Value>) {
        key = knob.key
        name = knob.name
        type = "choice"
        defaultValue = .text(knob.defaultValue.rawValue)
        perModel = Self.perModel(knob.perModel) { .text($0.rawValue) }
        choices = knob.choices
        help = knob.help
        models = knob.models?.map(\.rawValue)
    }

    public init(_ knob: SwitchKnob) {
        key = knob.key
        name = knob.name
        type = "switch"
        defaultValue = .switch(false)
        help = knob.help
        models = knob.models?.map(\.rawValue)
    }

    private static func perModel<Value>(_ entries: [ModelDefault<Value>], _ json: (Value) -> SettingValue) -> [PerModel]? {
        guard !entries.isEmpty else { return nil }
        return entries.flatMap { entry in
            DataScale.allCases.map { scale in
                PerModel(model: entry.kind.rawValue, data: scale, value: json(scale == .large ? entry.large : entry.small))
            }
        }
    }
}

/// A setting's value in JSON: a number, a name or a switch.
public enum SettingValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case text(String)
    case `switch`(Bool)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(UInt64.self) { self = .unsigned(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(Bool.self) { self = .switch(value) }
        else { self = .text(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .switch(let value): try container.encode(value)
        }
    }

    /// Numbers compare by value (JSON writes 5.0 as 5, which reads back as an integer).
    public static func == (left: SettingValue, right: SettingValue) -> Bool {
        switch (left, right) {
        case let (.text(a), .text(b)): a == b
        case let (.switch(a), .switch(b)): a == b
        case let (.unsigned(a), .unsigned(b)): a == b
        default: left.number != nil && left.number == right.number
        }
    }

    var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .number(let value): value
        case .text, .switch: nil
        }
    }

    public var description: String {
        switch self {
        case .integer(let value): "\(value)"
        case .unsigned(let value): "\(value)"
        case .number(let value): "\(value)"
        case .text(let value): value
        case .switch(let value): "\(value)"
        }
    }
}
