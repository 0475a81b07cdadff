import LensModels
import LensTensor
import Testing

@Suite struct TrainerTests {
    /// Three Gaussian blobs in 4-D, well apart: any working trainer separates them.
    static func blobs(count: Int, seed: UInt64) -> (images: Tensor, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let centres: [[Float]] = [[2, 0, 0, 1], [0, 2, -1, 0], [-2, -1, 1, 0]]
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 3
            labels.append(label)
            scalars += centres[label].map { $0 + 0.5 * generator.nextNormal() }
        }
        return (Tensor(shape: [count, 4], scalars: scalars), labels)
    }

    /// 8x8 images with a horizontal (class 0) or vertical (class 1) bright bar somewhere, plus noise.
    static func bars(count: Int, seed: UInt64) -> (images: Tensor, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2, line = 1 + generator.nextInt(below: 6)
            labels.append(label)
            for y in 0..<8 {
                for x in 0..<8 {
                    let onBar = label == 0 ? y == line : x == line
                    scalars.append((onBar ? 1 : 0) + 0.2 * generator.nextNormal())
                }
            }
        }
        return (Tensor(shape: [count, 1, 8, 8], scalars: scalars), labels)
    }

    static func mlp(seed: UInt64 = 1) throws -> Network {
        Network(architecture: try .mlp(inputShape: [4], hidden: [8], classes: 3), seed: seed)
    }

    static let quick = TrainingOptions(epochs: 15, batchSize: 16, learningRate: 0.01, seed: 3)

    @Test func separatesBlobs() throws {
        var network = try Self.mlp()
        let train = Self.blobs(count: 90, seed: 1), validation = Self.blobs(count: 30, seed: 2)
        let history = try Trainer.train(&network, images: train.images, labels: train.labels,
                                        validation: validation, options: Self.quick)
        #expect(history.epochs.count == 15 && !history.stoppedEarly)
        #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss / 3)
        #expect(Trainer.evaluate(network, images: validation.images, labels: validation.labels).accuracy >= 0.95)
        #expect(history.epochs[history.bestEpoch - 1].validationAccuracy
                == Trainer.evaluate(network, images: validation.images, labels: validation.labels).accuracy)
    }

    @Test func defaultCNNLearnsBarOrientationWithAugmentation() throws {
        let train = Self.bars(count: 64, seed: 4), test = Self.bars(count: 40, seed: 5)
        var network = Network(architecture: try .cnn(inputShape: [1, 8, 8], classes: 2), seed: 2)
        var options = Self.quick
        options.epochs = 8
        options.augmentation = Augmentation(maxShift: 1, horizontalFlip: true)
        options.learningRateSchedule = .cosine
        let history = try Trainer.train(&network, images: train.images, labels: train.labels, validation: nil, options: options)
        #expect(history.bestEpoch == 8)
        #expect(history.epochs.last!.learningRate < history.epochs.first!.learningRate)
        #expect(Trainer.evaluate(network, images: test.images, labels: test.labels).accuracy >= 0.9)
    }

    @Test func sameSeedsSameModel() throws {
        let train = Self.blobs(count: 50, seed: 1)
        var options = Self.quick
        options.epochs = 3
        options.optimizer = .sgd(momentum: 0.9, weightDecay: 1e-3, nesterov: true)
        var first = try Self.mlp(), second = try Self.mlp()
        let a = try Trainer.train(&first, images: train.images, labels: train.labels, validation: nil, options: options)
        let b = try Trainer.train(&second, images: train.images, labels: train.labels, validation: nil, options: options)
        #expect(first.parameterDictionary == second.parameterDictionary)
        #expect(a.epochs.map(\.trainLoss) == b.epochs.map(\.trainLoss))
        options.seed = 4
        var third = try Self.mlp()
        _ = try Trainer.train(&third, images: train.images, labels: train.labels, validation: nil, options: options)
        #expect(third.parameterDictionary != first.parameterDictionary, "another shuffling seed, another model")
    }

    @Test func divergenceStopsWithAdviceAndKeepsTheLastGoodWeights() throws {
        var network = try Self.mlp()
        let start = network.parameterDictionary
        // The largest learning rate the knob allows, on inputs a thousand times too large: the loss overflows.
        var train = Self.blobs(count: 60, seed: 1)
        train.images.scalars = train.images.scalars.map { $0 * 1000 }
        let rate = TrainingKnobs.learningRate.range.upperBound
        let options = TrainingOptions(epochs: 5, batchSize: 10, learningRate: rate, optimizer: .sgd(momentum: 0.9, weightDecay: 0))
        do {
            _ = try Trainer.train(&network, images: train.images, labels: train.labels, validation: nil, options: options)
            Issue.record("a learning rate of \(rate) on inputs scaled by 1000 trained without diverging")
        } catch let error as TrainingError {
            guard case let .diverged(epoch, _, learningRate, history) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect("\(error)".contains("lower the learning rate"))
            #expect(learningRate == rate)
            #expect(history.epochs.count == epoch - 1)
            if epoch == 1 { #expect(network.parameterDictionary == start) }
            #expect(network.parameters.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) })
        }
    }

    @Test func earlyStoppingRestoresTheBestEpoch() throws {
        let train = Self.blobs(count: 60, seed: 1)
        var validation = Self.blobs(count: 30, seed: 2)
        var generator = SeededGenerator(seed: 9)
        generator.shuffle(&validation.labels)   // unlearnable: validation accuracy soon stops improving
        var options = Self.quick
        options.epochs = 40
        options.patience = 2
        var network = try Self.mlp()
        let history = try Trainer.train(&network, images: train.images, labels: train.labels,
                                        validation: validation, options: options)
        #expect(history.stoppedEarly)
        #expect(history.epochs.count == history.bestEpoch + 2)
        let best = history.epochs[history.bestEpoch - 1]
        let now = Trainer.evaluate(network, images: validation.images, labels: validation.labels)
        #expect(now.accuracy == best.validationAccuracy)
        #expect(abs(now.loss - best.validationLoss!) < 1e-5)
        #expect(history.epochs.allSatisfy { $0.validationAccuracy! <= best.validationAccuracy! })

        options.restoreBestWeights = false
        var last = try Self.mlp()
        let lastHistory = try Trainer.train(&last, images: train.images, labels: train.labels, validation: validation, options: options)
        #expect(lastHistory.bestEpoch == lastHistory.epochs.count)
        #expect(Trainer.evaluate(last, images: validation.images, labels: validation.labels).accuracy
                == lastHistory.epochs.last!.validationAccuracy)
    }

    @Test func progressReportsEveryBatchAndTheCompleteEpoch() throws {
        var network = try Self.mlp()
        let train = Self.blobs(count: 37, seed: 1), validation = Self.blobs(count: 9, seed: 2)
        var options = Self.quick
        options.epochs = 2
        var calls: [(Int, Int, Int, Bool)] = []
        let history = try Trainer.train(&network, images: train.images, labels: train.labels, validation: validation,
                                        options: options, observer: TrainingObserver(batchEnded: { progress in
            calls.append((progress.record.epoch, progress.batch, progress.batches, progress.record.validationAccuracy != nil))
        }))
        #expect(calls.map(\.0) == [1, 1, 1, 2, 2, 2])
        #expect(calls.map(\.1) == [1, 2, 3, 1, 2, 3])
        #expect(calls.allSatisfy { $0.2 == 3 })
        #expect(calls.map(\.3) == [false, false, true, false, false, true])
        let lines = history.csv.split(separator: "\n")
        #expect(lines.first.map(String.init) == TrainingHistory.csvHeader)
        #expect(lines.count == 3 && lines[1].hasPrefix("1,") && lines[1].split(separator: ",").count == 7)
    }

    @Test func badDataIsRejectedWithTheReason() throws {
        var network = try Self.mlp()
        let train = Self.blobs(count: 12, seed: 1)
        func reason(_ images: Tensor, _ labels: [Int], _ options: TrainingOptions = Self.quick) -> String {
            do {
                _ = try Trainer.train(&network, images: images, labels: labels, validation: nil, options: options)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(reason(train.images, Array(train.labels.dropLast())).contains("11 labels do not match"))
        #expect(reason(train.images, train.labels.map { $0 == 2 ? 3 : $0 }).contains("label 3 at item 2 is outside 0..<3"))
        #expect(reason(Tensor(shape: [12, 5]), train.labels).contains("does not hold items of shape [4]"))
        #expect(reason(Tensor(shape: [0, 4]), []).contains("the training set is empty"))
        var nan = train.images
        nan.scalars[9] = .nan
        #expect(reason(nan, train.labels).contains("NaN"))
        var augmented = Self.quick
        augmented.augmentation = Augmentation(maxShift: 1)
        #expect(reason(train.images, train.labels, augmented).contains("augmentation"))
        var zeroBatch = Self.quick
        zeroBatch.batchSize = 0
        #expect(reason(train.images, train.labels, zeroBatch).contains("batch size 0"))
    }

    @Test func augmentationShiftsWithZerosAndFlips() {
        let image = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var generator = SeededGenerator(seed: 1)
        var seen = Set<[Float]>()
        let flipOnly = Augmentation(horizontalFlip: true)
        for _ in 0..<40 {
            var copy = image
            flipOnly.apply(to: &copy, using: &generator)
            seen.insert(copy.scalars)
        }
        #expect(seen == [[1, 2, 3, 4, 5, 6], [3, 2, 1, 6, 5, 4]])
        seen = []
        let shiftOnly = Augmentation(maxShift: 1)
        for _ in 0..<200 {
            var copy = image
            shiftOnly.apply(to: &copy, using: &generator)
            seen.insert(copy.scalars)
        }
        #expect(seen.count == 9, "every shift in {-1, 0, 1}²")
        #expect(seen.contains([0, 0, 0, 1, 2, 3]), "down by one")
        #expect(seen.contains([2, 3, 0, 5, 6, 0]), "left by one")
        #expect(seen.contains([0, 0, 0, 0, 1, 2]), "down and right by one")
    }
}
