import Foundation
import LensData
import LensModels
import LensStudio
import LensTensor

/// `lens train`'s work: checks before any data is read, then training with interrupts and checkpoints.
extension TrainCommand {
    /// Trains and writes the model file; returns what was written. SIGINT/SIGTERM stop it at the
    /// end of a batch (`Interrupted`), leaving --out as it was or holding the last checkpoint.
    @discardableResult
    func train() throws -> (ModelFile, TrainingSummary) {
        let outURL = URL(fileURLWithPath: out)
        let resumed = try resume.map { try ModelFile.load($0, flag: "--resume") }
        if let resumed, case .nearestNeighbor = resumed.model {
            throw CLIError("--resume \(resume ?? ""): a k-NN model has no training to continue; train it again instead")
        }
        if let resumed, let model, model != resumed.provenance.kind {
            throw CLIError("--model \(model.rawValue) does not match --resume \(resume ?? ""), a \(resumed.provenance.kind.rawValue) model")
        }
        let data = dataOptions.data
        let dataArgument = data ?? resumed?.provenance.dataset ?? "orl"
        let source = data == nil && resumed != nil ? DatasetSource(recorded: dataArgument) : DatasetSource(argument: dataArgument)
        try checkOutputs(data: source)
        let preprocessing = try resumed?.provenance.preprocessing ?? dataOptions.preprocessing(for: source)
        // Every option against its range (the shift against this image size) before any data is read.
        _ = try recipe(trainingCount: 0, resuming: resumed, imageSide: preprocessing.size)
        if resumed == nil, let model { try checkArchitectureFits(preprocessing, kind: model) }
        let (strict, maxPixels, plan) = (dataOptions.strict, images.maxPixels, resumed?.provenance.split)
        let dataset = data == nil && resumed != nil
            ? try StudioDataset(source: source, preprocessing: preprocessing, plan: plan, strict: strict, maxPixels: maxPixels)
            : try StudioDataset(named: dataArgument, preprocessing: preprocessing, plan: plan, seed: dataOptions.seed, strict: strict, maxPixels: maxPixels)
        dataset.reportNotes()
        if let resumed, dataset.data.classNames != resumed.provenance.classNames {
            throw CLIError("--resume \(resume ?? ""): \(dataArgument) does not have the classes the model was trained on; give the same --data")
        }
        let split = dataset.split
        let recipe = try recipe(trainingCount: split.train.count, resuming: resumed, imageSide: preprocessing.size)
        if !json {
            Terminal.status("\(source.name): \(split.train.count) train / \(split.validation.count) validation / \(split.test.count) test images, \(dataset.data.classNames.count) classes")
            if let resumed, let history = resumed.history {
                if ModelRecipe.resumableState(resumed, options: recipe.options, trainingCount: split.train.count) != nil {
                    let dropout = if case .network(let network) = resumed.model, network.architecture.layers.contains(where: {
                        if case .dropout = $0.operation { true } else { false }
                    }) { "; its dropout masks restart" } else { "" }
                    Terminal.status("resuming after epoch \(history.epochs.count) of \(recipe.options.epochs) exactly where it stopped "
                                    + "(weights, optimizer moments and shuffling saved with the checkpoint\(dropout))")
                } else {
                    let why = resumed.trainingState == nil
                        ? "the file holds no optimizer state (written without --checkpoint-every, or by an older lens)"
                        : "the saved optimizer state is for another optimizer or another training set"
                    Terminal.status("resuming after epoch \(history.epochs.count) of \(recipe.options.epochs) from the weights of epoch "
                                    + "\(history.bestEpoch); \(why), so the optimizer's moments and the shuffling restart")
                }
            }
        }
        if split.validation.isEmpty, recipe.kind != .knn, recipe.options.patience != nil || checkpointEvery != nil {
            Terminal.status("warning: no validation data, so \(patience != nil ? "--patience has no effect" : "early stopping is off") and the last epoch's weights are kept")
        }
        let interruption = Interruption.shared
        var checkpointEpoch: Int?
        func write(_ modelFile: ModelFile) throws {
            var files = [(data: try modelFile.serialized(), url: outURL)]
            if let historyCSV, let history = modelFile.history {
                files.append((Data(history.csv.utf8), URL(fileURLWithPath: historyCSV)))
            }
            try AtomicFile.write(files)
        }
        let started = Date()
        let trained: (ModelFile, TrainingSummary) = try interruption.deferring {
            do {
                let trained = try dataset.train(
                    recipe, name: out,
                    observer: TrainingObserver(
                        batchEnded: { progress in
                            guard !json else { return }
                            showProgress(progress, started: started)
                        },
                        shouldStop: { interruption.requested != nil }),
                    checkpoint: checkpointEvery == nil ? nil : { checkpoint in
                        try write(checkpoint)
                        checkpointEpoch = checkpoint.history?.epochs.last?.epoch
                    },
                    checkpointEvery: checkpointEvery ?? 1,
                    resuming: resumed)
                if let signal = interruption.requested {
                    throw Interrupted(signal: signal, message: "\(Interruption.name(signal)) before the model was written; \(out) left as it was")
                }
                try write(trained.model)
                return trained
            } catch TrainingError.interrupted(let epoch, let batch, _) {
                let signal = interruption.requested ?? SIGINT
                let kept = checkpointEpoch.map { "\(out) holds the checkpoint after epoch \($0); continue with --resume \(out)" }
                    ?? "\(out) left as it was"
                throw Interrupted(signal: signal, message: "training \(Interruption.name(signal)) in epoch \(epoch) after batch \(batch); \(kept)")
            } catch let error as NearestNeighborError {
                throw CLIError(error.message(naming: "--k"))
            }
        }
        return trained
    }

    private func showProgress(_ progress: TrainingProgress, started: Date) {
        let record = progress.record, epochs = progress.epochs
        let elapsed = Date().timeIntervalSince(started)
        let eta = progress.fraction > 0 ? elapsed / progress.fraction * (1 - progress.fraction) : 0
        var label = "epoch \(record.epoch)/\(epochs)  loss \(String(format: "%.4f", record.trainLoss))  acc \(String(format: "%.3f", record.trainAccuracy))"
        if let accuracy = record.validationAccuracy { label += "  val \(String(format: "%.3f", accuracy))" }
        label += "  ETA \(formatDuration(eta))"
        if progress.epochEnded {
            Terminal.progress(progress.fraction, label, done: !Terminal.isInteractive || record.epoch == epochs)
        } else {
            Terminal.progress(progress.fraction, label)
        }
    }

    /// Fails before any data is read when an output cannot be written or would overwrite an input
    /// or a file that is not a model (--checkpoint-every writes its checkpoints to --out).
    /// --out may be the --resume file: a checkpoint continued in place.
    private func checkOutputs(data: DatasetSource) throws {
        var outputs = [OutputTarget("--out", out, .model)]
        if let historyCSV { outputs.append(OutputTarget("--history-csv", historyCSV, .historyCSV)) }
        let resumed = resume.map { [InputPath("--resume", $0, replaceableBy: .model)] } ?? []
        try output.check(outputs, inputs: resumed + InputPath.data(data, label: "--data"))
    }

    /// Fails before any data is read when `--arch` does not parse or does not fit the input size,
    /// or when the network would not fit in memory (the class count only shapes the output
    /// layer, so any count of at least 2 does here).
    private func checkArchitectureFits(_ preprocessing: Preprocessing, kind: ModelKind) throws {
        guard kind != .knn else { return }
        let inputShape = [preprocessing.channels, preprocessing.size, preprocessing.size]
        let recipe = try recipe(trainingCount: 0, kind: kind)
        let architecture: Architecture
        do {
            architecture = try recipe.architecture(inputShape: inputShape, classes: 2)
        } catch {
            throw CLIError(arch.map { "--arch \($0): \(error)" } ?? "\(error)")
        }
        let spatial = architecture.layers.contains {
            switch $0.operation { case .conv2d, .maxPool2d: true; default: false }
        }
        if let arch, kind == .mlp, spatial {
            throw CLIError("--arch \(arch) is not an MLP (fully connected layers only): use --model cnn for convolutions and pooling")
        }
        do {
            try MemoryEstimate(architecture, batchSize: recipe.options.batchSize, threads: Parallel.coreCount).check()
        } catch {
            let flag = arch.map { "--arch \($0)" } ?? hidden.map { "--hidden \($0)" } ?? "--model \(kind.rawValue)"
            throw CLIError("\(flag): \(error)")
        }
    }
}
