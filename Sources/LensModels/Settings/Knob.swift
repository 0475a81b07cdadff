/// One setting a person can turn, declared once beside what it sets: its name in messages, its
/// key in JSON and query strings, its default (with the recipe's own per model and data size,
/// where they differ), its allowed range, its unit and one help line. The CLI's flags and help,
/// the web forms (through /api/settings), the server's checks and the library's `validate()`
/// all read the declaration; `check` is the one range check.
public struct Knob<Value: KnobValue>: Sendable {
    /// snake_case, as in JSON bodies, query strings and /api/settings: "learning_rate".
    public let key: String
    /// In the user's words, as messages cite it: "learning rate".
    public let name: String
    /// The default when no model-specific one applies.
    public let defaultValue: Value
    public let range: ClosedRange<Value>
    /// What a value counts ("epochs", "pixels"); nil for a plain number.
    public let unit: String?
    public let help: String
    /// The model kinds it applies to; nil: every kind (or no model at all).
    public let models: [ModelKind]?
    /// The recipe's defaults where they differ from `defaultValue`.
    public let perModel: [ModelDefault<Value>]

    public init(_ key: String, name: String, default defaultValue: Value, range: ClosedRange<Value>, unit: String? = nil,
                help: String, models: [ModelKind]? = nil, perModel: [ModelDefault<Value>] = []) {
        self.key = key
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.unit = unit
        self.help = help
        self.models = models
        self.perModel = perModel
    }

    /// The default for a model of `kind` trained on data of `scale`.
    public func defaultValue(for kind: ModelKind, _ scale: DataScale) -> Value {
        ModelDefault.value(in: perModel, for: kind, scale) ?? defaultValue
    }

    /// Throws `SettingError` naming this knob and its range unless `value` lies in the range
    /// (a NaN never does).
    public func check(_ value: Value) throws {
        guard range.contains(value) else {
            throw SettingError(setting: name, value: "\(value)", allowed: allowed)
        }
    }

    /// `text` (a query string's or form field's value) as a checked value of this knob.
    public func parse(_ text: String) throws -> Value {
        guard let value = Value(text) else {
            throw SettingError(setting: name, value: "\"\(text)\"", allowed: "give a number \(allowed)")
        }
        try check(value)
        return value
    }

    /// The range as messages say it: "between 1 and 1000000".
    public var allowed: String { "between \(range.lowerBound.text) and \(range.upperBound.text)" }

    /// The defaults as a help line says them: "0.001", or "32; with over 5000 training images:
    /// softmax 128, mlp 64, cnn 128", or "softmax 40, mlp 40, cnn 30; with over 5000 training
    /// images: softmax 10, mlp 15, cnn 5".
    public var defaultsText: String {
        let kinds = (models ?? ModelKind.allCases).filter { kind in kind != .knn || perModel.contains { $0.kind == .knn } }
        guard !perModel.isEmpty, !kinds.isEmpty else { return defaultValue.text }
        let small = kinds.map { defaultValue(for: $0, .small) }, large = kinds.map { defaultValue(for: $0, .large) }
        func list(_ values: [Value], where include: (Int) -> Bool = { _ in true }) -> String {
            Set(values.map(\.text)).count == 1 ? values[0].text
                : kinds.indices.filter(include).map { "\(kinds[$0].rawValue) \(values[$0].text)" }.joined(separator: ", ")
        }
        let smallText = list(small)
        guard small != large else { return smallText }
        return "\(smallText); with over \(DataScale.largeAbove) training images: \(list(large) { small[$0] != large[$0] })"
    }

    /// The help line with the defaults: what the CLI prints for a flag whose default depends on the model.
    public var helpWithDefaults: String { "\(help) (default: \(defaultsText))" }
}

/// The recipe's default of a knob for one model kind, on small data and on large data.
public struct ModelDefault<Value: Sendable & Equatable>: Sendable {
    public let kind: ModelKind
    public let small: Value
    public let large: Value

    public init(_ kind: ModelKind, small: Value, large: Value) {
        self.kind = kind
        self.small = small
        self.large = large
    }

    public init(_ kind: ModelKind, _ value: Value) { self.init(kind, small: value, large: value) }

    /// The entry of `kind`'s value on data of `scale`; nil when `kind` has no entry.
    static func value(in entries: [ModelDefault], for kind: ModelKind, _ scale: DataScale) -> Value? {
        entries.first { $0.kind == kind }.map { scale == .large ? $0.large : $0.small }
    }
}

/// How much training data there is: the recipe's defaults differ between a few hundred faces
/// (many epochs, early stopping) and tens of thousands of images (few epochs, bigger batches).
public enum DataScale: String, Codable, Sendable, CaseIterable {
    case small, large

    /// Above this many training images the data counts as large.
    public static let largeAbove = 5000

    public init(trainingCount: Int) { self = trainingCount > Self.largeAbove ? .large : .small }
}

/// A value a knob can hold: a number with a range.
public protocol KnobValue: Comparable, Sendable, LosslessStringConvertible {
    /// "integer" or "number", as /api/settings gives the type.
    static var typeName: String { get }
    /// As JSON carries it.
    var settingValue: SettingValue { get }
}

extension KnobValue {
    /// As a person reads it ("0.001", "1e-06", "50").
    var text: String { description }
}

extension Int: KnobValue {
    public static var typeName: String { "integer" }
    public var settingValue: SettingValue { .integer(Int64(self)) }
}

extension UInt64: KnobValue {
    public static var typeName: String { "integer" }
    public var settingValue: SettingValue { .unsigned(self) }
}

extension Float: KnobValue {
    public static var typeName: String { "number" }
    /// Through its shortest decimal text, so that 0.001 stays 0.001 rather than 0.0010000000474974513.
    public var settingValue: SettingValue { .number(Double(description) ?? Double(self)) }
}

extension Double: KnobValue {
    public static var typeName: String { "number" }
    public var settingValue: SettingValue { .number(self) }
}
