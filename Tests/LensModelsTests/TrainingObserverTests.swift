import LensModels
import LensTensor
import Testing

/// The hooks of `TrainingObserver`: stop between batches, a snapshot per epoch, resuming a run.
@Suite struct TrainingObserverTests {
    private let data = TrainerTests.blobs(count: 96, seed: 5)
    private var validation: (images: Tensor, labels: [Int]) { TrainerTests.blobs(count: 30, seed: 6) }

    @Test func stopsAfterTheBatchThatAskedWithTheEpochsBefore() throws {
        var network = try TrainerTests.mlp()
        var asked = 0
        let observer = TrainingObserver(shouldStop: { asked += 1; return asked == 9 })  // 6 batches an epoch: epoch 2, batch 3
        do {
            _ = try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil,
                                  options: TrainerTests.quick, observer: observer)
            Issue.record("training did not stop")
        } catch TrainingError.interrupted(let epoch, let batch, let history) {
            #expect(epoch == 2 && batch == 3)
            #expect(history.epochs.map(\.epoch) == [1])
        }
    }

    @Test func everyEpochHandsOverTheBestWeightsSoFar() throws {
        var network = try TrainerTests.mlp()
        var snapshots: [(epochs: Int, best: Int, weights: [String: Tensor])] = []
        let observer = TrainingObserver(epochEnded: { end in snapshots.append((end.history.epochs.count, end.history.bestEpoch, end.bestWeights)) })
        let history = try Trainer.train(&network, images: data.images, labels: data.labels, validation: validation,
                                        options: TrainerTests.quick, observer: observer)
        #expect(snapshots.map(\.epochs) == Array(1...15))
        // The last snapshot holds the weights training ends with (the best epoch's).
        let final = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        #expect(snapshots.last?.weights == final)
        #expect(snapshots.last?.best == history.bestEpoch)
    }

    @Test func eachEpochEndsWithItsLastBatchThenTheRecordTheNetworkAndTheHistory() throws {
        var network = try TrainerTests.mlp()
        var options = TrainerTests.quick
        options.epochs = 3
        var events: [String] = [], ends: [EpochEnd] = []
        let observer = TrainingObserver(batchEnded: { progress in if progress.epochEnded { events.append("batches \(progress.record.epoch)") } },
                                        epochEnded: { end in events.append("epoch \(end.record.epoch)"); ends.append(end) })
        let history = try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil,
                                        options: options, observer: observer)
        #expect(events == ["batches 1", "epoch 1", "batches 2", "epoch 2", "batches 3", "epoch 3"])
        #expect(ends.map(\.record) == history.epochs)
        #expect(ends.allSatisfy { $0.history.epochs.last == $0.record })
        // Without validation data the weights kept are the latest: those of the network handed over.
        let last = try #require(ends.last)
        #expect(last.bestWeights == Dictionary(uniqueKeysWithValues: last.network.parameters.map { ($0.name, $0.tensor) }))
        #expect(last.network.parameters.map(\.tensor) == network.parameters.map(\.tensor))
    }

    @Test func anErrorThrownByAHookStopsTrainingAndIsRethrown() throws {
        struct Cancelled: Error {}
        var network = try TrainerTests.mlp()
        var epochs = 0, batchesAfter = 0
        let observer = TrainingObserver(batchEnded: { _ in if epochs == 2 { batchesAfter += 1 } },
                                        epochEnded: { _ in epochs += 1; if epochs == 2 { throw Cancelled() } })
        #expect(throws: Cancelled.self) {
            try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil,
                              options: TrainerTests.quick, observer: observer)
        }
        #expect(epochs == 2 && batchesAfter == 0)
    }

    @Test func aResumedRunKeepsItsHistoryAndContinuesAtTheNextEpoch() throws {
        var network = try TrainerTests.mlp()
        var options = TrainerTests.quick
        options.epochs = 4
        let first = try Trainer.train(&network, images: data.images, labels: data.labels, validation: validation, options: options)
        options.epochs = 7
        let resumed = try Trainer.train(&network, images: data.images, labels: data.labels, validation: validation, options: options,
                                        observer: TrainingObserver(resumedHistory: first))
        #expect(resumed.epochs.map(\.epoch) == Array(1...7))
        #expect(Array(resumed.epochs.prefix(4)) == first.epochs)
        #expect(resumed.bestEpoch >= first.bestEpoch)
        // Nothing left to do is an error naming the count, not a silent no-op.
        options.epochs = 7
        #expect(throws: TrainingError.self) {
            try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil, options: options,
                              observer: TrainingObserver(resumedHistory: resumed))
        }
    }
}
