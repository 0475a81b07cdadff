import ArgumentParser
import Foundation
import LensData
import LensModels
import LensONNX
import LensStudio

/// The flags that say how to read a --model that is not a lens model file, on every command that
/// opens one: an ONNX classifier (its layout and image size are in the file) or a PyTorch
/// state_dict (saved with `safetensors.torch.save_file`, its tensors matched in order to the
/// --arch layers). Inputs are raw [0, 1] pixels unless --normalize or --mean/--std say how the
/// model was normalised (built into the model). Class names from --class-names, else an ONNX
/// model's `metadata_props`.
struct ModelImportOptions: ParsableArguments {
    static let title = "An ONNX classifier or a PyTorch state_dict as --model"

    @Option(help: "The state_dict's layout in lens's compact form, e.g. conv3x3x16,pool,conv3x3x32,pool,fc128 (the output layer is added).")
    var arch: String?

    @Option(name: .customLong("class-names"), help: "A text file with the class names, one per line, in the model's output order (ONNX or state_dict).")
    var classNames: String?

    @Option(parsing: .unconditional, help: "Image side the model takes, in pixels (state_dict only; an ONNX file records it).")
    var size: Int = StudioKnobs.size.defaultValue

    @Flag(help: "The model takes colour (3 channels) rather than gray (state_dict only; an ONNX file records it).")
    var rgb = false

    @Option(help: "Per-channel mean the model was trained with, e.g. 0.5 or 0.485,0.456,0.406 (ONNX or state_dict).")
    var mean: String?

    @Option(help: "Per-channel standard deviation the model was trained with (ONNX or state_dict).")
    var std: String?

    @Option(help: "A named --mean/--std preset: \(InputNormalization.presets.keys.sorted().joined(separator: ", ")) (ONNX or state_dict).")
    var normalize: String?

    func validate() throws {
        if let normalize {
            guard InputNormalization.presets[normalize] != nil else {
                throw ValidationError("--normalize \(normalize) is not a preset; use one of \(InputNormalization.presets.keys.sorted().joined(separator: ", "))")
            }
            guard mean == nil, std == nil else { throw ValidationError("give --normalize or --mean/--std, not both") }
        }
        guard (mean == nil) == (std == nil) else { throw ValidationError("give --mean and --std together") }
        _ = try numbers(mean, "--mean")
        _ = try numbers(std, "--std")
        guard arch != nil else { return }   // without --arch they apply to an ONNX model only: checked in `load`
        guard classNames != nil else { throw ValidationError("a PyTorch state_dict needs --class-names FILE (one name per line)") }
        do { try StudioDataset.checkSize(size, name: "--size") } catch { throw ValidationError("\(error)") }
    }

    /// Whether any flag is given (they need a --model to apply to).
    var given: [String] {
        [("--arch", arch != nil), ("--class-names", classNames != nil), ("--mean", mean != nil), ("--normalize", normalize != nil)]
            .filter(\.1).map(\.0)
    }

    /// The --class-names file as an input the outputs must not overwrite.
    var inputs: [InputPath] { classNames.map { [InputPath("--class-names", $0)] } ?? [] }

    private func numbers(_ text: String?, _ flag: String) throws -> [Float]? {
        guard let text else { return nil }
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(flag) \(text) is not a comma-separated list of numbers")
        }
        return values.compactMap { $0 }
    }

    /// The model at `path`: a lens model file, an ONNX classifier, or with --arch a PyTorch
    /// state_dict imported as one.
    func load(_ path: String) throws -> ModelFile {
        if arch == nil, path.lowercased().hasSuffix(".onnx") {
            let names = try readClassNames()
            do {
                return try ModelFile.loadONNX(path, importer: ONNXImport(classNames: names, normalization: try normalization(channels: nil)))
            } catch let mismatch as ONNXClassCountError {
                guard let classNames else { throw mismatch }
                throw CLIError("--class-names \(classNames) lists \(mismatch.names) names but \(path) has \(mismatch.outputs) outputs: give one name per output, one a line")
            }
        }
        guard let arch else {
            if let flag = given.first {
                throw CLIError("\(flag) applies to an ONNX --model (.onnx) or to a PyTorch state_dict given with --arch; \(path) is a lens model file, which records its own")
            }
            return try ModelFile.load(path, flag: "--model")
        }
        let channels = rgb ? 3 : 1
        let names = try readClassNames() ?? []
        let importer = StateDictImport(architecture: arch, classNames: names, preprocessing: Preprocessing(size: size, channels: channels),
                                       normalization: try normalization(channels: channels))
        let result = try importer.load(contentsOf: URL(fileURLWithPath: path))
        for note in result.notes { Terminal.status("note: \(note)") }
        return result.model
    }

    /// --normalize's preset, or --mean/--std checked against `channels` (nil: the ONNX importer checks them).
    private func normalization(channels: Int?) throws -> InputNormalization? {
        if let preset = normalize.flatMap({ InputNormalization.presets[$0] }) { return preset }
        guard let mean = try numbers(mean, "--mean") else { return nil }
        let std = try numbers(std, "--std") ?? []
        do { return try InputNormalization(mean: mean, std: std, channels: channels ?? mean.count) } catch {
            throw CLIError("--mean/--std: \(error)")
        }
    }

    private func readClassNames() throws -> [String]? {
        guard let classNames else { return nil }
        do { return try StateDictImport.classNames(contentsOf: URL(fileURLWithPath: classNames)) } catch let error as StateDictImportError {
            throw CLIError("--class-names \(error)")
        }
    }
}
