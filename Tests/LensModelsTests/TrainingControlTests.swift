import LensModels
import LensTensor
import Testing

/// The hooks of `TrainingControl`: stop between batches, a snapshot per epoch, resuming a run.
@Suite struct TrainingControlTests {
    private let data = TrainerTests.blobs(count: 96, seed: 5)
    private var validation: (images: Tensor, labels: [Int]) { TrainerTests.blobs(count: 30, seed: 6) }

    @Test func stopsAfterTheBatchThatAskedWithTheEpochsBefore() throws {
        var network = try TrainerTests.mlp()
        var asked = 0
        let control = TrainingControl(shouldStop: { asked += 1; return asked == 9 })  // 6 batches an epoch: epoch 2, batch 3
        do {
            _ = try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil,
                                  options: TrainerTests.quick, control: control)
            Issue.record("training did not stop")
        } catch TrainingError.interrupted(let epoch, let batch, let history) {
            #expect(epoch == 2 && batch == 3)
            #expect(history.epochs.map(\.epoch) == [1])
        }
    }

    @Test func everyEpochHandsOverTheBestWeightsSoFar() throws {
        var network = try TrainerTests.mlp()
        var snapshots: [(epochs: Int, best: Int, weights: [String: Tensor])] = []
        let control = TrainingControl(epochEnded: { history, weights in snapshots.append((history.epochs.count, history.bestEpoch, weights)) })
        let history = try Trainer.train(&network, images: data.images, labels: data.labels, validation: validation,
                                        options: TrainerTests.quick, control: control)
        #expect(snapshots.map(\.epochs) == Array(1...15))
        // The last snapshot holds the weights training ends with (the best epoch's).
        let final = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        #expect(snapshots.last?.weights == final)
        #expect(snapshots.last?.best == history.bestEpoch)
    }

    @Test func aResumedRunKeepsItsHistoryAndContinuesAtTheNextEpoch() throws {
        var network = try TrainerTests.mlp()
        var options = TrainerTests.quick
        options.epochs = 4
        let first = try Trainer.train(&network, images: data.images, labels: data.labels, validation: validation, options: options)
        options.epochs = 7
        let resumed = try Trainer.train(&network, images: data.images, labels: data.labels, validation: validation, options: options,
                                        control: TrainingControl(resumedHistory: first))
        #expect(resumed.epochs.map(\.epoch) == Array(1...7))
        #expect(Array(resumed.epochs.prefix(4)) == first.epochs)
        #expect(resumed.bestEpoch >= first.bestEpoch)
        // Nothing left to do is an error naming the count, not a silent no-op.
        options.epochs = 7
        #expect(throws: TrainingError.self) {
            try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil, options: options,
                              control: TrainingControl(resumedHistory: resumed))
        }
    }
}
