import LensModels
import Testing
@testable import LensCLI

/// `lens train` starts from the model's preset weight decay (an MLP on small data has one, so that
/// its templates are legible) and `--weight-decay` overrides it, for either optimizer.
@Suite struct WeightDecayDefaultTests {
    @Test func trainUsesThePresetWeightDecayUnlessGiven() throws {
        func decay(_ arguments: [String], trainingCount: Int = 240) throws -> Float {
            try parse(TrainCommand.self, ["train", "--data", "orl", "--out", "unused.safetensors"] + arguments).recipe(trainingCount: trainingCount).options.optimizer.weightDecay
        }
        #expect(try decay(["--model", "mlp"]) == ModelRecipe.smallDataMLPWeightDecay)
        #expect(try decay(["--model", "mlp"], trainingCount: 54_000) == 0)
        #expect(try decay(["--model", "softmax"]) == ModelRecipe.smallDataSoftmaxWeightDecay)
        #expect(try decay(["--model", "softmax"], trainingCount: 54_000) == 0)
        #expect(try decay(["--model", "mlp", "--weight-decay", "0"]) == 0)
        #expect(try decay(["--model", "mlp", "--optimizer", "sgd", "--weight-decay", "0.001"]) == 0.001)
    }

    /// Small-data softmax trains with SGD at its own step size (docs/templates-defaults.md); switching
    /// the optimizer without --lr gives that optimizer's step size, and --lr always wins.
    @Test func theStepSizeFollowsTheOptimizer() throws {
        func options(_ arguments: [String], trainingCount: Int = 240) throws -> TrainingOptions {
            try parse(TrainCommand.self, ["train", "--data", "orl", "--out", "unused.safetensors"] + arguments).recipe(trainingCount: trainingCount).options
        }
        let softmax = try options(["--model", "softmax"])
        #expect(softmax.optimizer.optimizerName == .sgd && softmax.learningRate == ModelRecipe.smallDataSoftmaxLearningRate)
        #expect(softmax.epochs == ModelRecipe.smallDataSoftmaxEpochs && softmax.patience == ModelRecipe.smallDataSoftmaxPatience)
        #expect(try options(["--model", "softmax", "--optimizer", "sgd"]).learningRate == ModelRecipe.smallDataSoftmaxLearningRate)
        #expect(try options(["--model", "softmax", "--momentum", "0.5"]).learningRate == ModelRecipe.smallDataSoftmaxLearningRate)
        let adam = try options(["--model", "softmax", "--optimizer", "adam"])
        #expect(adam.optimizer.optimizerName == .adam && adam.learningRate == TrainingKnobs.adamLearningRate)
        #expect(try options(["--model", "softmax", "--optimizer", "adam", "--lr", "0.02"]).learningRate == 0.02)
        let large = try options(["--model", "softmax"], trainingCount: 54_000)
        #expect(large.optimizer.optimizerName == .adam && large.learningRate == 1e-3)
        #expect(try options(["--model", "mlp", "--optimizer", "sgd"]).learningRate == TrainingKnobs.sgdLearningRate)
        #expect(try options(["--model", "cnn", "--optimizer", "adam"], trainingCount: 54_000).learningRate == 2e-3)
    }
}
