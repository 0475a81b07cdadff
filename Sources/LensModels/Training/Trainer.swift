import LensTensor

/// Minibatch training with softmax cross-entropy.
public enum Trainer {
    /// Trains `network` on `images` [N, ...item shape] with `labels` (0..<classes).
    ///
    /// Each epoch visits the items in a fresh order from `SeededGenerator(seed: options.seed)`
    /// (which also draws the augmentation), in batches of `options.batchSize` (the last one
    /// smaller). With validation data it is scored after every epoch; `options.patience` stops
    /// training when validation accuracy has not improved for that many epochs, and
    /// `options.restoreBestWeights` leaves the network with the best epoch's weights.
    ///
    /// `observer` hears every batch and epoch, may stop the run, and may resume an earlier one
    /// (see `TrainingObserver`). A NaN or infinite loss throws `TrainingError.diverged` with the
    /// network set back to the weights of the last epoch that ended with finite values.
    public static func train(_ network: inout Network, images: Tensor, labels: [Int],
                             validation: (images: Tensor, labels: [Int])?, options: TrainingOptions,
                             observer: TrainingObserver = TrainingObserver()) throws -> TrainingHistory {
        let options = try options.validated()
        try check(network, images: images, labels: labels, role: "training")
        if let validation { try check(network, images: validation.images, labels: validation.labels, role: "validation") }
        if !options.augmentation.isNone, network.architecture.inputShape.count != 3 {
            throw TrainingError.invalidData("augmentation (shifts, flips) needs image inputs [C, H, W], "
                                            + "this network takes \(network.architecture.inputShape)")
        }
        let itemShape = network.architecture.inputShape
        let images = images.reshaped([labels.count] + itemShape)

        let resumed = observer.resumedHistory ?? TrainingHistory()
        let firstEpoch = resumed.epochs.count + 1
        guard firstEpoch <= options.epochs else {
            throw TrainingError.invalidData("the run already has \(resumed.epochs.count) epochs of \(options.epochs); ask for more epochs to continue it")
        }
        let state = observer.resumedState
        if let state {
            guard state.epochs == resumed.epochs.count, state.optimizerName == options.optimizer.name,
                  state.order.count == labels.count else {
                throw TrainingError.invalidData("the saved training state is of epoch \(state.epochs) with \(state.optimizerName), "
                                                + "over \(state.order.count) items; the run has \(resumed.epochs.count) epochs with "
                                                + "\(options.optimizer.name) over \(labels.count)")
            }
            try network.load(parameters: state.weights)
        }
        var generator = state.flatMap { SeededGenerator(words: $0.generator) }
            ?? SeededGenerator(seed: firstEpoch == 1 ? options.seed : options.seed &+ UInt64(firstEpoch) &* 0x9E37_79B9_7F4A_7C15)
        var optimizer = state.map { Optimizer(kind: options.optimizer, learningRate: options.learningRate, state: $0.optimizer) }
            ?? Optimizer(kind: options.optimizer, learningRate: options.learningRate)
        var history = resumed
        history.stoppedEarly = false
        var lastGood: [String: Tensor] = [:]
        refresh(&lastGood, from: network)
        var lastGoodEpoch = resumed.epochs.count
        var best: (accuracy: Double, loss: Double, weights: [String: Tensor])?
        if let record = resumed.epochs.first(where: { $0.epoch == resumed.bestEpoch }),
           let accuracy = record.validationAccuracy, let loss = record.validationLoss {
            best = (accuracy, loss, state?.bestWeights ?? lastGood)
        }
        let count = labels.count
        let batches = (count + options.batchSize - 1) / options.batchSize
        var order = state?.order ?? Array(0..<count)
        var batchImages = Tensor.empty
        var indices: [Int] = []
        var targets: [Int] = []
        var lossGradient = Tensor.empty

        for epoch in firstEpoch...options.epochs {
            let started = ContinuousClock.now
            optimizer.learningRate = options.learningRateSchedule.learningRate(
                base: options.learningRate, epoch: epoch - 1, epochs: options.epochs)
            generator.shuffle(&order)
            var lossSum: Double = 0, correct = 0, seen = 0
            func record() -> EpochRecord {
                EpochRecord(epoch: epoch, trainLoss: lossSum / Double(max(seen, 1)),
                            trainAccuracy: Double(correct) / Double(max(seen, 1)),
                            learningRate: Double(optimizer.learningRate), seconds: seconds(since: started))
            }
            for batch in 0..<batches {
                indices.removeAll(keepingCapacity: true)
                indices.append(contentsOf: order[(batch * options.batchSize)..<min((batch + 1) * options.batchSize, count)])
                targets.removeAll(keepingCapacity: true)
                for index in indices { targets.append(labels[index]) }
                images.gather(indices, into: &batchImages)
                options.augmentation.apply(to: &batchImages, using: &generator)

                let logits = network.forward(batchImages, training: true)
                let loss = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: targets, into: &lossGradient)
                guard loss.isFinite else {
                    try? network.load(parameters: lastGood)
                    history.bestEpoch = lastGoodEpoch
                    throw TrainingError.diverged(epoch: epoch, batch: batch + 1,
                                                 learningRate: optimizer.learningRate, history: history)
                }
                // Gradients are overwritten (no zeroing pass) and none is computed for the images.
                _ = try network.backward(outputGradient: lossGradient, parameterGradients: .replace, computingInputGradient: false)
                optimizer.step(&network)

                lossSum += Double(loss) * Double(indices.count)
                correct += zip(logits.argmaxRows(), targets).filter { $0 == $1 }.count
                seen += indices.count
                if batch + 1 < batches {
                    try observer.batchEnded(TrainingProgress(record: record(), batch: batch + 1, batches: batches, epochs: options.epochs))
                }
                if observer.shouldStop() {
                    throw TrainingError.interrupted(epoch: epoch, batch: batch + 1, history: history)
                }
            }
            guard network.parameters.allSatisfy({ $0.tensor.allFinite }) else {
                try? network.load(parameters: lastGood)
                history.bestEpoch = lastGoodEpoch
                throw TrainingError.diverged(epoch: epoch, batch: batches, learningRate: optimizer.learningRate, history: history)
            }
            refresh(&lastGood, from: network)
            lastGoodEpoch = epoch

            var epochRecord = record()
            if let validation {
                let (loss, accuracy) = evaluate(network, images: validation.images, labels: validation.labels)
                epochRecord.validationLoss = loss
                epochRecord.validationAccuracy = accuracy
                if best.map({ accuracy > $0.accuracy || (accuracy == $0.accuracy && loss < $0.loss) }) ?? true {
                    best = (accuracy, loss, lastGood)
                    history.bestEpoch = epoch
                }
            } else {
                history.bestEpoch = epoch
            }
            epochRecord.seconds = seconds(since: started)
            history.epochs.append(epochRecord)
            try observer.batchEnded(TrainingProgress(record: epochRecord, batch: batches, batches: batches, epochs: options.epochs))
            let trainingState = !observer.keepsTrainingState ? nil : TrainingState(
                epochs: epoch, optimizerName: options.optimizer.name, weights: lastGood,
                bestWeights: history.bestEpoch == epoch ? nil : best?.weights, optimizer: optimizer.state, generator: generator.words, order: order)
            try observer.epochEnded(EpochEnd(record: epochRecord, network: network, history: history,
                                             bestWeights: options.restoreBestWeights ? (best?.weights ?? lastGood) : lastGood,
                                             trainingState: trainingState))

            if validation != nil, let patience = options.patience, epoch - history.bestEpoch >= patience, epoch < options.epochs {
                history.stoppedEarly = true
                break
            }
        }
        if let best, options.restoreBestWeights {
            try network.load(parameters: best.weights)
        } else {
            history.bestEpoch = history.epochs.count
        }
        return history
    }

    /// Mean cross-entropy and accuracy of `network` on a labelled set.
    public static func evaluate(_ network: Network, images: Tensor, labels: [Int]) -> (loss: Double, accuracy: Double) {
        guard !labels.isEmpty else { return (0, 0) }
        let logits = network.logits(images)
        let loss = SoftmaxCrossEntropy.loss(logits: logits, targets: labels)
        let correct = zip(logits.argmaxRows(), labels).filter { $0 == $1 }.count
        return (Double(loss), Double(correct) / Double(labels.count))
    }

    private static func check(_ network: Network, images: Tensor, labels: [Int], role: String) throws {
        let classes = network.architecture.classCount
        guard !labels.isEmpty else { throw TrainingError.invalidData("the \(role) set is empty") }
        guard images.rank >= 2, images.shape[0] == labels.count else {
            throw TrainingError.invalidData("\(role) images of shape \(images.shape) and \(labels.count) labels do not match (one label per image)")
        }
        do { try network.checkInput(images) } catch {
            throw TrainingError.invalidData("\(role) images: \(error)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw TrainingError.invalidData("\(role) label \(labels[bad]) at item \(bad) is outside 0..<\(classes) (the network has \(classes) classes)")
        }
        if let bad = images.scalars.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError.invalidData("\(role) images hold a NaN or infinite value (item \(bad / max(images.count / labels.count, 1)))")
        }
    }

    /// Copies the network's parameters into `snapshot`, reusing its buffers: a fresh snapshot every
    /// epoch would share the weights' storage, so the next update would copy (and page-fault) all
    /// of them, 5 MB for the W2 MLP.
    private static func refresh(_ snapshot: inout [String: Tensor], from network: Network) {
        for (name, tensor) in network.parameters {
            if var kept = snapshot.removeValue(forKey: name), kept.shape == tensor.shape {
                kept.scalars.withUnsafeMutableBufferPointer { target in
                    tensor.scalars.withUnsafeBufferPointer { source in
                        guard let to = target.baseAddress, let from = source.baseAddress else { return }
                        to.update(from: from, count: source.count)
                    }
                }
                snapshot[name] = kept
            } else {
                snapshot[name] = Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 })
            }
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
