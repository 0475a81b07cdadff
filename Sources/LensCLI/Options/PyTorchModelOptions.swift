import ArgumentParser
import Foundation
import LensData
import LensModels
import LensONNX
import LensStudio

/// Flags that make --model a PyTorch state_dict (saved with `safetensors.torch.save_file`): its
/// tensors are matched in order to the --arch layers, and inputs are raw [0, 1] pixels unless
/// --mean/--std say how the model was normalised (folded into the first layer). An ONNX --model
/// takes --class-names, --mean/--std and --normalize too (its layout is in the file).
struct PyTorchModelOptions: ParsableArguments {
    @Option(help: "The state_dict's layout in lens's compact form, e.g. conv3x3x16,pool,conv3x3x32,pool,fc128 (the output layer is added).")
    var arch: String?

    @Option(name: .customLong("class-names"), help: "A text file with the class names, one per line, in the model's output order.")
    var classNames: String?

    @Option(parsing: .unconditional, help: "Image side the model takes, in pixels (state_dict only).")
    var size: Int = StudioKnobs.size.defaultValue

    @Flag(help: "The model takes colour (3 channels) rather than gray (state_dict only).")
    var rgb = false

    @Option(help: "Per-channel mean the model was trained with, e.g. 0.5 or 0.485,0.456,0.406.")
    var mean: String?

    @Option(help: "Per-channel standard deviation the model was trained with.")
    var std: String?

    @Option(help: "A named --mean/--std preset: \(InputNormalization.presets.keys.sorted().joined(separator: ", ")).")
    var normalize: String?

    func validate() throws {
        if let normalize {
            guard InputNormalization.presets[normalize] != nil else {
                throw ValidationError("--normalize \(normalize) is not a preset; use one of \(InputNormalization.presets.keys.sorted().joined(separator: ", "))")
            }
            guard mean == nil, std == nil else { throw ValidationError("give --normalize or --mean/--std, not both") }
        }
        if arch == nil {
            guard (mean == nil) == (std == nil) else { throw ValidationError("give --mean and --std together") }
            return   // checked in `load`: they apply to an ONNX model only
        }
        guard classNames != nil else { throw ValidationError("a PyTorch state_dict needs --class-names FILE (one name per line)") }
        do { try StudioDataset.checkSize(size, name: "--size") } catch { throw ValidationError("\(error)") }
        guard (mean == nil) == (std == nil) else { throw ValidationError("give --mean and --std together") }
        _ = try numbers(mean, "--mean")
        _ = try numbers(std, "--std")
    }

    private func numbers(_ text: String?, _ flag: String) throws -> [Float]? {
        guard let text else { return nil }
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(flag) \(text) is not a comma-separated list of numbers")
        }
        return values.compactMap { $0 }
    }

    /// The model at `path`: a lens model file, or with --arch a PyTorch state_dict imported as one.
    func load(_ path: String, imageOptions: ImageOptions) throws -> ModelFile {
        if arch == nil, path.lowercased().hasSuffix(".onnx") {
            let names = try classNames.map { try StateDictImport.classNames(contentsOf: URL(fileURLWithPath: $0)) }
            let preset = normalize.flatMap { InputNormalization.presets[$0] }
            let normalization = try preset ?? numbers(mean, "--mean").map { mean in
                try InputNormalization(mean: mean, std: try numbers(std, "--std") ?? [], channels: mean.count)
            }
            return try ModelFile.loadONNX(path, importer: ONNXImport(classNames: names, normalization: normalization))
        }
        guard let arch, let classNames else {
            for (flag, given) in [("--class-names", classNames != nil), ("--mean", mean != nil), ("--normalize", normalize != nil)] where given {
                throw CLIError("\(flag) applies to a PyTorch state_dict given with --arch, or to an ONNX --model")
            }
            return try ModelFile.load(path, flag: "--model")
        }
        let channels = rgb ? 3 : 1
        let names = try StateDictImport.classNames(contentsOf: URL(fileURLWithPath: classNames))
        let preset = normalize.flatMap { InputNormalization.presets[$0] }
        let normalization = try preset ?? numbers(mean, "--mean").map { mean in
            try InputNormalization(mean: mean, std: try numbers(std, "--std") ?? [], channels: channels)
        }
        let importer = StateDictImport(architecture: arch, classNames: names, preprocessing: Preprocessing(size: size, channels: channels),
                                       normalization: normalization)
        let result = try importer.load(contentsOf: URL(fileURLWithPath: path))
        for note in result.notes { Terminal.status("note: \(note)") }
        return result.model
    }
}
