import ArgumentParser
import LensModels

/// A flag reads its knob's declaration: the help line (with the defaults where the recipe's
/// depend on the model) and the one range check, whose message gets the flag in front.
extension Knob {
    /// "--lr 50.0: learning rate must be between 1e-06 and 10".
    func check(_ value: Value?, flag: String) throws {
        guard let value else { return }
        do { try check(value) } catch let error as SettingError {
            throw ValidationError(error.message(flag: flag))
        }
    }

    /// This knob as `flag`, whose value the options' `property` holds: one row of a flag table.
    func flag<Options>(_ flag: String, _ property: KeyPath<Options, Value>) -> FlagRow<Options> {
        FlagRow { try self.check($0[keyPath: property], flag: flag) }
    }

    /// The same for a flag without a default of its own (nil: not given, nothing to check).
    func flag<Options>(_ flag: String, _ property: KeyPath<Options, Value?>) -> FlagRow<Options> {
        FlagRow { try self.check($0[keyPath: property], flag: flag) }
    }

    /// For a flag whose default depends on the model: the help line with the defaults.
    var flagHelp: ArgumentHelp { ArgumentHelp(helpWithDefaults) }

    /// For a flag with a plain default, which ArgumentParser prints itself.
    var plainHelp: ArgumentHelp { ArgumentHelp(help) }
}

/// A flag bound to its knob and to the property holding its value. An option group lists its
/// knob flags once, in one table (`flags`), and checks them all with one call: `Self.flags.check(self)`.
struct FlagRow<Options> {
    let check: (Options) throws -> Void
}

extension Array {
    /// Every row's range check on `options`, in table order: the first value out of range fails, flag in front.
    func check<Options>(_ options: Options) throws where Element == FlagRow<Options> {
        for row in self { try row.check(options) }
    }
}

extension ChoiceKnob {
    /// The default, then each model's own where it differs (small-data softmax trains with SGD).
    var flagHelp: ArgumentHelp {
        let small = perModel.filter { $0.small != defaultValue }
            .map { "\($0.kind.rawValue) with up to \(DataScale.largeAbove) training images: \($0.small.rawValue)" }
        let large = perModel.filter { $0.large != defaultValue }
            .map { "\($0.kind.rawValue) with over \(DataScale.largeAbove) training images: \($0.large.rawValue)" }
        return ArgumentHelp("\(help) (default: \(([defaultValue.rawValue] + small + large).joined(separator: "; ")))")
    }
}

extension SettingError {
    /// The library's range error as the CLI says it, with the flag that sets the value in front.
    func message(flag: String) -> String { "\(flag) \(value): \(setting) must be \(allowed)" }
}
