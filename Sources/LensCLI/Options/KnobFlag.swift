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

    /// For a flag whose default depends on the model: the help line with the defaults.
    var flagHelp: ArgumentHelp { ArgumentHelp(helpWithDefaults) }

    /// For a flag with a plain default, which ArgumentParser prints itself.
    var plainHelp: ArgumentHelp { ArgumentHelp(help) }
}

extension ChoiceKnob {
    var flagHelp: ArgumentHelp { ArgumentHelp("\(help) (default: \(defaultValue.rawValue))") }
}

extension SettingError {
    /// The library's range error as the CLI says it, with the flag that sets the value in front.
    func message(flag: String) -> String { "\(flag) \(value): \(setting) must be \(allowed)" }
}
