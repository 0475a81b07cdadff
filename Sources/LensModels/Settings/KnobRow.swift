/// A knob bound to the property of a settings value that it sets. A settings type lists its knobs
/// once, in one table of rows (`Knobs.table`), in the order a form shows them: what /api/settings
/// gives (`SettingInfo`) and the one range check of `validate()` both come from that table.
public struct KnobRow<Settings> {
    public let info: SettingInfo
    /// The range check of the value `settings` holds; nil for a choice or a switch, whose type is its range.
    let check: ((Settings) throws -> Void)?
}

extension Knob {
    /// This knob, setting `property`.
    public func row<Settings>(_ property: KeyPath<Settings, Value>) -> KnobRow<Settings> {
        KnobRow(info: SettingInfo(self), check: { try self.check($0[keyPath: property]) })
    }
}

extension ChoiceKnob {
    public func row<Settings>() -> KnobRow<Settings> { KnobRow(info: SettingInfo(self), check: nil) }
}

extension SwitchKnob {
    public func row<Settings>() -> KnobRow<Settings> { KnobRow(info: SettingInfo(self), check: nil) }
}

extension Array {
    /// Every row's range check on `settings`, in table order: throws `SettingError` for the first value out of range.
    public func check<Settings>(_ settings: Settings) throws where Element == KnobRow<Settings> {
        for row in self { try row.check?(settings) }
    }
}
