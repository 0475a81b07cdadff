import ArgumentParser
import Foundation
import LensData
import LensModels
import LensStudio
import LensTensor

extension ModelKind: ExpressibleByArgument {}
extension OptimizerName: ExpressibleByArgument {}
extension DistanceMetric: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier and save it as a safetensors model file.",
        discussion: """
        Models: knn (k-nearest-neighbour), softmax (0 hidden layers: one template per class), \
        mlp (hidden layers of templates), cnn (convolutional). Options left out get defaults \
        that work on the lecture's data, so `lens train --model cnn --out m.safetensors` is a \
        complete command.

        Examples:
          lens train --model knn --metric cosine --out knn.safetensors
          lens train --model mlp --hidden 512,256 --epochs 80 --out mlp.safetensors
          lens train --data ~/photos --model cnn --size 96 --rgb --out p.safetensors
          lens train --data fashion-mnist --model cnn \\
            --arch conv5x5x32,pool,conv5x5x64,pool,fc128 --out f.safetensors
        """)

    @Option(help: "knn, softmax, mlp or cnn (with --resume: the model file's kind).")
    var model: ModelKind?

    @Option(help: "Where to write the model file (.safetensors).")
    var out: String

    @OptionGroup var dataOptions: DataOptions

    @Option(parsing: .unconditional, help: TrainingKnobs.k.flagHelp)
    var k: Int?

    @Option(help: TrainingKnobs.metric.flagHelp)
    var metric: DistanceMetric?

    @Option(parsing: .unconditional, help: ArgumentHelp("mlp: hidden layer widths, e.g. 300 or 512,256 (default: \(TrainingKnobs.hiddenUnits.defaultsText))."))
    var hidden: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(StudioKnobs.architectureHelp))
    var arch: String?

    // The flags below that stay optional have defaults that depend on the model and the data (or
    // must be told apart from a default when checked against --model): their help prints them.
    @Option(parsing: .unconditional, help: TrainingKnobs.epochs.flagHelp)
    var epochs: Int?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: TrainingKnobs.batchSize.flagHelp)
    var batchSize: Int?

    @Option(parsing: .unconditional, help: TrainingKnobs.learningRate.flagHelp)
    var lr: Float?

    @Option(help: TrainingKnobs.optimizer.flagHelp)
    var optimizer: OptimizerName?

    @Option(parsing: .unconditional, help: TrainingKnobs.momentum.flagHelp)
    var momentum: Float?

    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: TrainingKnobs.weightDecay.flagHelp)
    var weightDecay: Float?

    @Option(parsing: .unconditional, help: TrainingKnobs.patience.flagHelp)
    var patience: Int?

    @Option(name: .customLong("augment-shift"), parsing: .unconditional, help: TrainingKnobs.augmentShift.flagHelp)
    var augmentShift: Int?

    @Flag(name: .customLong("augment-flip"), help: ArgumentHelp(TrainingKnobs.augmentFlip.help))
    var augmentFlip = false

    @Option(name: .customLong("history-csv"), help: "Also write the per-epoch history as CSV here.")
    var historyCSV: String?

    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional,
            help: "Networks: every N epochs, write the best model so far to --out (atomically), to --resume after a stop.")
    var checkpointEvery: Int?

    @Option(help: "Continue training a network model file written by --checkpoint-every or an earlier run (its data, split, architecture and options; --epochs for more).")
    var resume: String?

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    @OptionGroup var images: ImageOptions

    @OptionGroup var output: OutputOptions

    /// Each knob flag once: the command's one range check.
    private static var flags: [FlagRow<Self>] {
        [TrainingKnobs.k.flag("--k", \.k), TrainingKnobs.epochs.flag("--epochs", \.epochs),
         TrainingKnobs.batchSize.flag("--batch-size", \.batchSize), TrainingKnobs.learningRate.flag("--lr", \.lr),
         TrainingKnobs.patience.flag("--patience", \.patience), TrainingKnobs.augmentShift.flag("--augment-shift", \.augmentShift),
         TrainingKnobs.weightDecay.flag("--weight-decay", \.weightDecay), TrainingKnobs.momentum.flag("--momentum", \.momentum)]
    }

    func validate() throws {
        try Self.flags.check(self)
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every \(checkpointEvery) is invalid: give a number of epochs, 1 or more") }
        if resume != nil {
            for (flag, given) in [("--size", dataOptions.size != nil), ("--rgb", dataOptions.rgb), ("--arch", arch != nil), ("--hidden", hidden != nil)] where given {
                throw ValidationError("\(flag) cannot change a resumed model: the --resume file fixes it")
            }
            return
        }
        guard let model else { throw ValidationError("Missing expected argument '--model <model>' (knn, softmax, mlp or cnn), or --resume FILE") }
        if model == .knn {
            for (flag, given) in networkFlagsGiven where given {
                throw ValidationError("\(flag) applies to networks, not --model knn (k-NN has no training epochs): use --model softmax, mlp or cnn")
            }
        } else {
            for (flag, given) in [("--k", k != nil), ("--metric", metric != nil)] where given {
                throw ValidationError("\(flag) applies to --model knn only, not --model \(model.rawValue)")
            }
        }
        if hidden != nil, model != .mlp { throw ValidationError("--hidden applies to --model mlp only") }
        if let arch, model == .softmax { throw ValidationError("--arch \(arch) does not apply to --model softmax, which has no hidden layers: use --model mlp or cnn") }
        _ = try hiddenWidths()
    }

    /// Options that only a network's training reads, and whether each was given.
    private var networkFlagsGiven: [(String, Bool)] {
        [("--arch", arch != nil), ("--epochs", epochs != nil), ("--batch-size", batchSize != nil), ("--lr", lr != nil),
         ("--optimizer", optimizer != nil), ("--momentum", momentum != nil), ("--weight-decay", weightDecay != nil),
         ("--patience", patience != nil), ("--augment-shift", augmentShift != nil), ("--augment-flip", augmentFlip),
         ("--history-csv", historyCSV != nil), ("--checkpoint-every", checkpointEvery != nil)]
    }

    func hiddenWidths() throws -> [Int]? {
        guard let hidden else { return nil }
        let parts = hidden.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let widths = parts.compactMap { Int($0) }
        guard widths.count == parts.count, !widths.isEmpty else {
            throw ValidationError("--hidden \(hidden) is invalid: give positive layer widths separated by commas, e.g. 300 or 512,256")
        }
        for width in widths { try TrainingKnobs.hiddenUnits.check(width, flag: "--hidden") }
        return widths
    }

    /// The recipe: defaults for the kind (or the resumed model's options), then the flags given,
    /// checked against the library's ranges (the shift's against `imageSide`, when known).
    func recipe(trainingCount: Int, resuming: ModelFile? = nil, kind: ModelKind? = nil, imageSide: Int? = nil) throws -> ModelRecipe {
        guard let kind = kind ?? resuming?.provenance.kind ?? model else { throw CLIError("give --model knn, softmax, mlp or cnn") }
        var recipe = ModelRecipe.defaults(for: kind, trainingCount: trainingCount, seed: dataOptions.seed)
        recipe.k = k ?? recipe.k
        recipe.metric = metric ?? recipe.metric
        recipe.hidden = try hiddenWidths()
        recipe.compactArchitecture = arch
        var options = resuming?.options ?? recipe.options
        if let epochs { options.epochs = epochs }
        if let batchSize { options.batchSize = batchSize }
        if let lr { options.learningRate = lr }
        let keepsOptimizer = resuming != nil && optimizer == nil && momentum == nil && weightDecay == nil
        let previous = options.optimizer.optimizerName
        let name = optimizer ?? previous
        if !keepsOptimizer {
            if momentum != nil && name != .sgd { throw ValidationError("--momentum applies to --optimizer sgd") }
            options.optimizer = name.kind(momentum: momentum, weightDecay: weightDecay ?? options.optimizer.weightDecay)
            // The default step size is the default optimizer's; another optimizer gets its own.
            if name != previous && lr == nil {
                options.learningRate = name == .sgd ? TrainingKnobs.sgdLearningRate : TrainingKnobs.adamLearningRate
            }
        }
        if let patience { options.patience = patience == 0 ? nil : patience }
        if augmentShift != nil || augmentFlip {
            options.augmentation = Augmentation(maxShift: augmentShift ?? options.augmentation.maxShift, horizontalFlip: augmentFlip)
        }
        do { recipe.options = try options.validated(imageSide: imageSide) } catch let error as SettingError {
            guard let flag = Self.knobFlags[error.setting] else { throw error }
            throw CLIError(error.message(flag: flag))
        } catch let error as TrainingOptionsError {
            guard let flag = Self.knobFlags[error.option] else { throw error }
            throw CLIError("\(flag) \(error.value) is not valid: it \(error.rule)")
        }
        return recipe
    }

    /// The training knobs' names (as `TrainingOptions` reports them) and the flags that set them.
    static let knobFlags = [TrainingKnobs.epochs.name: "--epochs", TrainingKnobs.batchSize.name: "--batch-size",
                            TrainingKnobs.learningRate.name: "--lr", TrainingKnobs.patience.name: "--patience",
                            TrainingKnobs.augmentShift.name: "--augment-shift", TrainingKnobs.momentum.name: "--momentum",
                            TrainingKnobs.weightDecay.name: "--weight-decay"]

    func run() throws {
        let (modelFile, summary) = try train()
        if json {
            try printJSON(summary)
            return
        }
        var line = "wrote \(OneLine.escape(out)): \(summary.kind) on \(summary.classes) classes in \(formatDuration(summary.seconds))"
        if let accuracy = summary.validationAccuracy { line += String(format: ", validation accuracy %.3f", accuracy) }
        if let history = modelFile.history, history.stoppedEarly { line += " (stopped early; kept epoch \(history.bestEpoch))" }
        print(line)
        print("next: lens evaluate --model \(OneLine.escape(out))")
    }
}
