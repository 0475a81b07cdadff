import Foundation
import LensModels
import Testing

/// The training knobs are the one source of the recipe's defaults, of the range checks and of the
/// help lines that print the defaults.
@Suite struct TrainingKnobTests {
    @Test(arguments: [ModelKind.softmax, .mlp, .cnn], [10, 60_000])
    func theRecipesDefaultsAreTheKnobs(kind: ModelKind, trainingCount: Int) {
        let scale = DataScale(trainingCount: trainingCount)
        let options = ModelRecipe.defaults(for: kind, trainingCount: trainingCount).options
        #expect(options.epochs == TrainingKnobs.epochs.defaultValue(for: kind, scale))
        #expect(options.batchSize == TrainingKnobs.batchSize.defaultValue(for: kind, scale))
        #expect(options.learningRate == TrainingKnobs.learningRate.defaultValue(for: kind, scale))
        #expect(options.optimizer.weightDecay == TrainingKnobs.weightDecay.defaultValue(for: kind, scale))
        #expect((options.patience ?? 0) == TrainingKnobs.patience.defaultValue(for: kind, scale))
        #expect(options.augmentation.maxShift == TrainingKnobs.augmentShift.defaultValue(for: kind, scale))
        #expect(options.learningRateSchedule == TrainingKnobs.schedule.defaultValue(for: kind, scale))
        #expect(options.optimizer.optimizerName == TrainingKnobs.optimizer.defaultValue(for: kind, scale))
    }

    @Test func theMeasuredDefaultsAreKept() {
        // ORL-sized data: many epochs and early stopping; Fashion-MNIST-sized: few epochs, bigger batches, cosine.
        let small = ModelRecipe.defaults(for: .mlp, trainingCount: 240).options
        #expect(small.epochs == 40 && small.batchSize == 32 && small.patience == 15 && small.optimizer.weightDecay == 0.1)
        let large = ModelRecipe.defaults(for: .cnn, trainingCount: 60_000).options
        #expect(large.epochs == 5 && large.batchSize == 128 && large.learningRate == 2e-3 && large.patience == nil
                && large.learningRateSchedule == .cosine)
        #expect(ModelRecipe.defaults(for: .cnn, trainingCount: 240).options.augmentation.maxShift == 2)
        // Small-data softmax: SGD, decay 0.3, 80 epochs (docs/templates-defaults.md); large data keeps Adam.
        let softmax = ModelRecipe.defaults(for: .softmax, trainingCount: 240).options
        #expect(softmax.optimizer.optimizerName == .sgd && softmax.learningRate == 0.005 && softmax.optimizer.weightDecay == 0.3
                && softmax.epochs == 80 && softmax.patience == 30 && softmax.augmentation.maxShift == 1)
        #expect(ModelRecipe.defaults(for: .softmax, trainingCount: 60_000).options.optimizer.optimizerName == .adam)
    }

    @Test func aValueOutsideTheRangeIsNamedWithTheRange() {
        #expect(throws: SettingError(setting: "learning rate", value: "5e-07", allowed: "between 1e-06 and 10.0")) {
            try TrainingKnobs.learningRate.check(5e-7)
        }
        #expect(throws: SettingError(setting: "epochs", value: "\"ten\"", allowed: "give a number between 1 and 1000000")) {
            _ = try TrainingKnobs.epochs.parse("ten")
        }
        #expect(throws: (any Error).self) { _ = try TrainingKnobs.learningRate.parse("nan") }
        #expect((try? TrainingKnobs.learningRate.parse("0.01")) == 0.01)
    }

    @Test func helpLinesPrintThePerModelDefaults() {
        #expect(TrainingKnobs.learningRate.defaultsText
                == "softmax 0.005, mlp 0.001, cnn 0.001; with over 5000 training images: softmax 0.001, cnn 0.002")
        #expect(TrainingKnobs.epochs.defaultsText == "softmax 80, mlp 40, cnn 30; with over 5000 training images: softmax 10, mlp 15, cnn 5")
        #expect(TrainingKnobs.k.defaultsText == "1")
    }

    @Test func theDescriptionCarriesDefaultsRangeAndPerModelValues() throws {
        let info = SettingInfo(TrainingKnobs.learningRate)
        #expect(info.key == "learning_rate" && info.type == "number")
        #expect(info.defaultValue == .number(0.001) && info.min == .number(1e-6) && info.max == .number(10))
        #expect(info.perModel?.contains(SettingInfo.PerModel(model: "cnn", data: .large, value: .number(0.002))) == true)
        let json = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        #expect(json.contains(#""default":0.001"#), "\(json)")
    }
}
