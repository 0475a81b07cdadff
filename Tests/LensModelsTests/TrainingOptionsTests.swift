import Foundation
import LensModels
import Testing

@Suite struct TrainingOptionsTests {
    @Test(arguments: [
        (TrainingOptions(learningRate: 0), "learning rate 0.0 is out of range: between 1e-06 and 10"),
        (TrainingOptions(learningRate: -0.5), "learning rate -0.5 is out of range"),
        (TrainingOptions(learningRate: .nan), "learning rate nan is out of range"),
        (TrainingOptions(learningRate: 50), "learning rate 50.0 is out of range"),
        (TrainingOptions(batchSize: 0), "batch size 0 is out of range: between 1 and"),
        (TrainingOptions(epochs: 0), "epochs 0 is out of range: between 1 and"),
        (TrainingOptions(epochs: -3), "epochs -3 is out of range"),
        (TrainingOptions(patience: -1), "patience -1 is out of range"),
        (TrainingOptions(augmentation: Augmentation(maxShift: -1)), "shift -1 is out of range"),
        (TrainingOptions(optimizer: .sgd(momentum: 1, weightDecay: 0)), "momentum 1.0 is out of range"),
        (TrainingOptions(optimizer: .sgd(momentum: 0.9, weightDecay: -1)), "weight decay -1.0 is out of range"),
        (TrainingOptions(optimizer: .adam(beta1: 0.9, beta2: 1, epsilon: 1e-8, weightDecay: 0)), "beta2 1.0 is not valid"),
        (TrainingOptions(optimizer: .adam(beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0)), "epsilon 0.0 is not valid"),
    ])
    func badValuesAreNamed(options: TrainingOptions, message: String) {
        #expect(throws: (any Error).self) { try options.validated() }
        do { _ = try options.validated() } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    @Test func aPatienceOfZeroTurnsEarlyStoppingOff() throws {
        #expect(try TrainingOptions(patience: 0).validated().patience == nil)
        #expect(try TrainingOptions(patience: 4).validated().patience == 4)
    }

    @Test func goodOptionsPassAndRoundTrip() throws {
        let options = TrainingOptions(epochs: 5, batchSize: 64, learningRate: 0.01,
                                      optimizer: .sgd(momentum: 0.9, weightDecay: 1e-4, nesterov: true), seed: 42,
                                      patience: 3, augmentation: Augmentation(maxShift: 2, horizontalFlip: true),
                                      learningRateSchedule: .cosine)
        #expect(try options.validated() == options)
        let data = try JSONEncoder().encode(options)
        #expect(try JSONDecoder().decode(TrainingOptions.self, from: data) == options)
    }
}
