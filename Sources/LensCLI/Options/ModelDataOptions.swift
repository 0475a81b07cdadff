import ArgumentParser
import LensModels
import LensStudio

/// The flags of the commands that score a model on data: the model file (and how to read one
/// lens did not write), the data (default: the model's own) and the part of it.
struct ModelDataOptions: ParsableArguments {
    @Option(help: "A model file written by `lens train`, an ONNX classifier (.onnx), or a PyTorch state_dict with --arch.")
    var model: String

    @Option(help: "Dataset to score on (default: the one the model was trained on).")
    var data: String?

    @Option(help: "Which part of the data: \(SplitChoice.names).")
    var split: String = SplitChoice.test.rawValue

    @OptionGroup(title: ModelImportOptions.title)
    var imported: ModelImportOptions

    func validate() throws {
        _ = try splitChoice()
    }

    /// --model, read as the import flags say.
    func loadModel() throws -> ModelFile { try imported.load(model) }

    /// What the command reads, for the output checks.
    func inputs(loaded: ModelFile? = nil) -> [InputPath] {
        InputPath.model(model, data: data, loaded: loaded) + imported.inputs
    }

    func splitChoice() throws -> SplitChoice {
        guard let choice = SplitChoice(rawValue: split) else {
            throw ValidationError("--split \(split) is not one of \(SplitChoice.names)")
        }
        return choice
    }
}
