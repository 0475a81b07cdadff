import ArgumentParser
import LensStudio

/// The flags of the commands that score a model on data: the model file, the data (default: the
/// model's own) and the part of it.
struct ModelDataOptions: ParsableArguments {
    @Option(help: "A model file written by `lens train`.")
    var model: String

    @Option(help: "Dataset to score on (default: the one the model was trained on).")
    var data: String?

    @Option(help: "Which part of the data: \(SplitChoice.names).")
    var split: String = SplitChoice.test.rawValue

    func validate() throws {
        _ = try splitChoice()
    }

    func splitChoice() throws -> SplitChoice {
        guard let choice = SplitChoice(rawValue: split) else {
            throw ValidationError("--split \(split) is not one of \(SplitChoice.names)")
        }
        return choice
    }
}
