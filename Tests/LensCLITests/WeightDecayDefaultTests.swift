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
}
