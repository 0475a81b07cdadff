import LensData
import LensModels
import LensTensor
import Testing

/// `ModelRecipe.train` passes the caller's `TrainingObserver` on and adds its checkpoints to it.
@Suite struct RecipeObserverTests {
    private let data = TrainerTests.blobs(count: 96, seed: 5)

    private func recipe(epochs: Int) -> ModelRecipe {
        var options = TrainerTests.quick
        options.epochs = epochs
        var recipe = ModelRecipe(kind: .mlp, options: options, seed: 1)
        recipe.hidden = [8]
        return recipe
    }

    private func train(_ recipe: ModelRecipe, observer: TrainingObserver,
                       checkpoint: ((ModelFile) throws -> Void)? = nil, checkpointEvery: Int = 1) throws -> ModelFile {
        try recipe.train(train: data, validation: nil, classNames: ["a", "b", "c"], preprocessing: Preprocessing(size: 2),
                         dataset: "blobs", split: .folder, datasetCount: data.labels.count,
                         observer: observer, checkpoint: checkpoint, checkpointEvery: checkpointEvery)
    }

    @Test func theCallerSeesEachEpochBeforeItsCheckpoint() throws {
        var events: [String] = []
        let model = try train(recipe(epochs: 4), observer: TrainingObserver(epochEnded: { events.append("epoch \($0.record.epoch)") }),
                              checkpoint: { events.append("checkpoint \($0.history?.epochs.count ?? 0)") }, checkpointEvery: 2)
        #expect(events == ["epoch 1", "epoch 2", "checkpoint 2", "epoch 3", "epoch 4", "checkpoint 4"])
        #expect(model.history?.epochs.count == 4)
    }

    @Test func aHistoryToResumeComesWithItsModelFile() throws {
        let earlier = try train(recipe(epochs: 2), observer: TrainingObserver())
        let history = try #require(earlier.history)
        #expect(throws: ModelRecipeError.self) {
            try train(recipe(epochs: 4), observer: TrainingObserver(resumedHistory: history))
        }
    }
}
