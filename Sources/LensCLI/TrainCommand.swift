import ArgumentParser
import Foundation
import LensData
import LensModels
import LensTensor

extension ModelKind: ExpressibleByArgument {}
extension DistanceMetric: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier and save it as a safetensors model file.",
        discussion: """
        Models: knn (k-nearest-neighbour), softmax (0 hidden layers: one template per class),
        mlp (hidden layers of templates), cnn (convolutional). Options left out get defaults
        that work on the lecture's data; `lens train --model cnn --data orl --out m.safetensors`
        is a complete command.
        Examples:
          lens train --data orl --model knn --metric cosine --out knn.safetensors
          lens train --data orl --model mlp --hidden 512,256 --epochs 80 --out mlp.safetensors
          lens train --data ~/photos --model cnn --size 96 --rgb --augment-flip --out photos.safetensors
          lens train --data fashion-mnist --model cnn --arch conv5x5x32,pool,conv5x5x64,pool,fc128 --out f.safetensors
        """)

    @Option(help: "orl, fashion-mnist, or a folder with one subfolder of images per class.")
    var data: String = "orl"

    @Option(help: "knn, softmax, mlp or cnn.")
    var model: ModelKind

    @Option(help: "Where to write the model file (.safetensors).")
    var out: String

    @Option(parsing: .unconditional, help: "Image side in pixels after crop and resize (default: 64 faces/folders, 28 Fashion-MNIST).")
    var size: Int?

    @Flag(help: "Keep colour (3 channels) instead of converting to gray.")
    var rgb = false

    @Flag(help: "Fail if any image in the folder cannot be read, instead of skipping it.")
    var strict = false

    @Option(parsing: .unconditional, help: "Seed for the split, the initial weights and the shuffling.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "k-NN: number of neighbours that vote.")
    var k: Int = 1

    @Option(help: "k-NN: euclidean, cosine or dot.")
    var metric: DistanceMetric = .euclidean

    @Option(help: "mlp: hidden layer widths, e.g. 300 or 512,256.")
    var hidden: String?

    @Option(help: "Network layout, e.g. conv3x3x16,pool,conv3x3x32,pool,fc128 (ReLU after each conv/fc; the output layer is added).")
    var arch: String?

    @Option(parsing: .unconditional, help: "Passes over the training data.")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Images per step.")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr: Float?

    @Option(help: "adam or sgd.")
    var optimizer: String?

    @Option(parsing: .unconditional, help: "sgd: momentum (default 0.9).")
    var momentum: Float?

    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "L2 weight decay (default: the model preset's, 0 except for an MLP on small data).")
    var weightDecay: Float?

    @Option(parsing: .unconditional, help: "Stop after this many epochs without better validation accuracy (keeps the best weights).")
    var patience: Int?

    @Option(name: .customLong("augment-shift"), parsing: .unconditional, help: "Shift training images by up to this many pixels.")
    var augmentShift: Int?

    @Flag(name: .customLong("augment-flip"), help: "Mirror training images left-right at random (faces, not text).")
    var augmentFlip = false

    @Option(name: .customLong("history-csv"), help: "Also write the per-epoch history as CSV here.")
    var historyCSV: String?

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k \(k) is invalid: k must be 1 or more") }
        if let size, !Workflow.sizeRange.contains(size) {
            throw ValidationError("--size \(size) is out of range: give an image side between \(Workflow.sizeRange.lowerBound) and \(Workflow.sizeRange.upperBound) pixels")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs \(epochs) is invalid: train for at least 1 epoch") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size \(batchSize) is invalid: use 1 or more") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr \(lr) is invalid: the learning rate must be positive (try 0.001)") }
        if let optimizer, !["adam", "sgd"].contains(optimizer) { throw ValidationError("--optimizer \(optimizer) is unknown: use adam or sgd") }
        if let patience, patience < 1 { throw ValidationError("--patience \(patience) is invalid: use 1 or more epochs") }
        if let augmentShift, augmentShift < 0 { throw ValidationError("--augment-shift \(augmentShift) is invalid: use 0 or more pixels") }
        if hidden != nil, model != .mlp { throw ValidationError("--hidden applies to --model mlp only") }
        if arch != nil, model == .knn { throw ValidationError("--arch applies to networks, not --model knn") }
        if historyCSV != nil, model == .knn { throw ValidationError("--history-csv applies to networks: k-NN has no training epochs") }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) {
            throw ValidationError("--weight-decay \(weightDecay) is invalid: use 0 or a small positive number such as 0.0001")
        }
        if let momentum, !(momentum >= 0 && momentum < 1) {
            throw ValidationError("--momentum \(momentum) is invalid: use a value in [0, 1), e.g. 0.9")
        }
        _ = try hiddenWidths()
    }

    func hiddenWidths() throws -> [Int]? {
        guard let hidden else { return nil }
        let parts = hidden.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let widths = parts.compactMap { Int($0) }
        guard widths.count == parts.count, !widths.isEmpty, widths.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--hidden \(hidden) is invalid: give positive layer widths separated by commas, e.g. 300 or 512,256")
        }
        return widths
    }

    func recipe(trainingCount: Int) throws -> ModelRecipe {
        var recipe = ModelRecipe.defaults(for: model, trainingCount: trainingCount, seed: seed)
        recipe.k = k
        recipe.metric = metric
        recipe.hidden = try hiddenWidths()
        recipe.compactArchitecture = arch
        var options = recipe.options
        if let epochs { options.epochs = epochs }
        if let batchSize { options.batchSize = batchSize }
        if let lr { options.learningRate = lr }
        let optimizerName = optimizer ?? options.optimizer.name
        let weightDecay = weightDecay ?? options.optimizer.weightDecay
        switch optimizerName {
        case "sgd":
            options.optimizer = .sgd(momentum: momentum ?? 0.9, weightDecay: weightDecay)
            if lr == nil { options.learningRate = 0.01 }
        default:
            if momentum != nil { throw ValidationError("--momentum applies to --optimizer sgd") }
            options.optimizer = .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: weightDecay)
        }
        if let patience { options.patience = patience }
        if augmentShift != nil || augmentFlip {
            options.augmentation = Augmentation(maxShift: augmentShift ?? options.augmentation.maxShift, horizontalFlip: augmentFlip)
        }
        recipe.options = try options.validated()
        return recipe
    }

    /// Fails before any data is read when `--arch` does not parse or does not fit the input size
    /// (the class count only shapes the output layer, so any count of at least 2 does here).
    private func checkArchitectureFits(_ preprocessing: Preprocessing) throws {
        guard let arch else { return }
        let inputShape = [preprocessing.channels, preprocessing.size, preprocessing.size]
        do {
            _ = try Architecture.parse(arch, inputShape: inputShape, classes: 2)
        } catch {
            throw CLIError("--arch \(arch): \(error)")
        }
    }

    struct Summary: Encodable {
        var model: String
        var kind: String
        var dataset: String
        var classes: Int
        var train: Int
        var validation: Int
        var test: Int
        var validationAccuracy: Double?
        var seconds: Double
        var epochs: Int?
        enum CodingKeys: String, CodingKey {
            case model, kind, dataset, classes, train, validation, test, seconds, epochs
            case validationAccuracy = "validation_accuracy"
        }
    }

    /// Trains and writes the model file; returns what was written.
    @discardableResult
    func train() throws -> (ModelFile, Summary) {
        let outURL = URL(fileURLWithPath: out)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: outURL.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError("--out \(out) is a directory; give a file name such as \(out)/model.safetensors")
        }
        guard FileManager.default.fileExists(atPath: outURL.deletingLastPathComponent().path) else {
            throw CLIError("--out \(out): directory \(outURL.deletingLastPathComponent().path) does not exist")
        }
        if let historyCSV {
            let directory = URL(fileURLWithPath: historyCSV).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory) else {
                throw CLIError("--history-csv \(historyCSV): directory \(directory) does not exist")
            }
        }
        let source = DatasetSource(argument: data)
        let preprocessing = try Workflow.preprocessing(for: source, size: size, rgb: rgb)
        try checkArchitectureFits(preprocessing)
        let prepared = try Workflow.prepare(data, preprocessing: preprocessing, seed: seed, strict: strict)
        let split = prepared.split
        let recipe = try recipe(trainingCount: split.train.count)
        if !json {
            Terminal.status("\(source.name): \(split.train.count) train / \(split.validation.count) validation / \(split.test.count) test images, \(prepared.data.classNames.count) classes")
        }
        let started = Date()
        let modelFile = try recipe.train(
            train: (prepared.images(split.train), prepared.labels(split.train)),
            validation: (prepared.images(split.validation), prepared.labels(split.validation)),
            classNames: prepared.data.classNames, preprocessing: preprocessing, dataset: data, split: prepared.plan,
            datasetCount: prepared.data.labels.count,
            progress: { record, batch, batches in
                guard !json else { return }
                let epochs = recipe.options.epochs
                let elapsed = Date().timeIntervalSince(started)
                let done = Double(record.epoch - 1) + Double(batch) / Double(max(batches, 1))
                let eta = done > 0 ? elapsed / done * (Double(epochs) - done) : 0
                var label = "epoch \(record.epoch)/\(epochs)  loss \(String(format: "%.4f", record.trainLoss))  acc \(String(format: "%.3f", record.trainAccuracy))"
                if let accuracy = record.validationAccuracy { label += "  val \(String(format: "%.3f", accuracy))" }
                label += "  ETA \(formatDuration(eta))"
                if batch == batches {
                    Terminal.progress(done / Double(epochs), label, done: !Terminal.isInteractive || record.epoch == epochs)
                } else {
                    Terminal.progress(done / Double(epochs), label)
                }
            })
        try modelFile.write(to: outURL)
        if let historyCSV, let history = modelFile.history {
            try AtomicFile.write(history.csv, to: URL(fileURLWithPath: historyCSV))
        }
        let summary = Summary(model: out, kind: model.rawValue, dataset: data, classes: prepared.data.classNames.count,
                              train: split.train.count, validation: split.validation.count, test: split.test.count,
                              validationAccuracy: modelFile.provenance.validationAccuracy,
                              seconds: modelFile.provenance.trainingSeconds ?? 0, epochs: modelFile.history?.epochs.count)
        return (modelFile, summary)
    }

    func run() throws {
        let (modelFile, summary) = try train()
        if json {
            try printJSON(summary)
            return
        }
        var line = "wrote \(out): \(model.rawValue) on \(summary.classes) classes in \(formatDuration(summary.seconds))"
        if let accuracy = summary.validationAccuracy { line += String(format: ", validation accuracy %.3f", accuracy) }
        if let history = modelFile.history, history.stoppedEarly { line += " (stopped early; kept epoch \(history.bestEpoch))" }
        print(line)
        print("next: lens evaluate --model \(out)")
    }
}
