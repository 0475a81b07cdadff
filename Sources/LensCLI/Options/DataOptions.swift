import ArgumentParser
import LensData
import LensModels
import LensStudio
import LensTensor

/// The flags of the commands that load a dataset to train on: which data, how its images are
/// prepared, and the seed of its split (and of the training).
struct DataOptions: ParsableArguments {
    @Option(name: [.customLong("data"), .customLong("dataset")],
            help: "orl, fashion-mnist, or a folder with one subfolder of images per class (default: orl). (--dataset is an older name.)")
    var data: String?

    @Option(parsing: .unconditional, help: StudioKnobs.size.plainHelp)
    var size: Int?

    @Flag(help: "Keep colour (3 channels) instead of converting to gray.")
    var rgb = false

    @Flag(help: "Fail if any image in the folder cannot be read, instead of skipping it.")
    var strict = false

    @Option(parsing: .unconditional, help: TrainingKnobs.seed.plainHelp)
    var seed: UInt64 = TrainingKnobs.seed.defaultValue

    func validate() throws {
        if let size {
            do { try StudioDataset.checkSize(size, name: "--size") } catch { throw ValidationError("\(error)") }
        }
    }

    /// The source's preprocessing with --size and --rgb applied.
    func preprocessing(for source: DatasetSource) throws -> Preprocessing {
        try StudioDataset.preprocessing(for: source, size: size, rgb: rgb)
    }
}

extension StudioDataset {
    /// Tells the person on stderr which files were skipped and why, and what else the loading found.
    func reportNotes() {
        for warning in warnings { Terminal.status(OneLine.escape(warning)) }
        for file in skipped { Terminal.status("skipped \(ImageOptions.flagged(OneLine.escape(file.description)))") }
        if !skipped.isEmpty { Terminal.status("\(skipped.count) file(s) skipped; --strict makes this an error") }
    }
}
