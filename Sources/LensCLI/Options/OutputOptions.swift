import ArgumentParser
import Foundation
import LensData
import LensModels
import LensRender
import LensStudio

/// `--force`, declared once for every command that writes, and the one call each makes to check
/// its outputs before any work (`OutputCheck`, whose messages name each output by its flag).
struct OutputOptions: ParsableArguments {
    @Flag(help: "Replace an existing file that is not what this command writes (a model only replaces a model, a report a report).")
    var force = false

    /// `early`: a first pass before a model is loaded, whose data folder is not known yet (and
    /// which may be that folder): everything but the rule that --force lifts, which the second pass applies.
    func check(_ outputs: [OutputTarget], inputs: [InputPath], early: Bool = false) throws {
        // Ctrl-C between creating and removing a probe file must not leave it behind.
        try OutputCheck.check(outputs, inputs: inputs, force: force || early, overrideFlag: "--force", critical: { try Interruption.shared.deferring($0) })
    }
}

extension InputPath {
    /// What a command that reads a model and its data reads: the model file, and the --data given
    /// or, once the model is loaded, the data folder it records.
    static func model(_ model: String, data: String?, loaded: ModelFile? = nil) -> [InputPath] {
        var inputs = [InputPath("--model", model)]
        if let data {
            inputs += InputPath.data(DatasetSource(argument: data), label: "--data")
        } else if let recorded = loaded?.provenance.dataset, !recorded.isEmpty {
            inputs += InputPath.data(DatasetSource(recorded: recorded), label: "model's training data")
        }
        return inputs
    }
}

extension ReportWriter {
    /// The report folder a flag names, once `OutputCheck` has passed it; a refusal names the flag.
    init(flag: String, path: String) throws {
        do { try self.init(directory: URL(fileURLWithPath: path, isDirectory: true)) } catch let error as ReportError {
            throw CLIError("\(flag) \(error)")
        }
    }
}
