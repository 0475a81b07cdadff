import Foundation
import LensData
import LensExplain
import LensModels
import LensStudio
import LensTensor
import Testing

/// The services without HTTP: request checks, ids, predictions, explanations and the job runner.
@Suite struct StudioServiceTests {
    static func tinyModel(kind: ModelKind = .softmax) throws -> (ModelFile, StudioDataset) {
        let dataset = try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 16, channels: 1))
        var recipe = ModelRecipe.defaults(for: kind, trainingCount: dataset.split.train.count)
        recipe.options.epochs = 3
        recipe.hidden = kind == .mlp ? [8] : nil
        let model = try recipe.train(train: dataset.trainingSet, validation: dataset.validationSet, classNames: dataset.data.classNames,
                                     preprocessing: dataset.preprocessing, dataset: "orl", split: dataset.plan,
                                     datasetCount: dataset.data.labels.count)
        return (model, dataset)
    }

    @Test func trainingRequestsAreCheckedInTheUsersWords() throws {
        #expect(throws: StudioError(.invalidInput, "epochs 0 is out of range: \(TrainingKnobs.epochs.allowed)")) {
            _ = try TrainingRequest(kind: .mlp, epochs: 0).recipe(trainingCount: 10)
        }
        #expect(throws: StudioError.self) { _ = try TrainingRequest(kind: .knn).recipe(trainingCount: 10) }
        #expect(throws: StudioError(.invalidInput, "learning rate 20.0 is out of range: between 1e-06 and 10.0")) {
            _ = try TrainingRequest(kind: .mlp, learningRate: 20).recipe(trainingCount: 10)
        }
        let recipe = try TrainingRequest(kind: .mlp, hiddenUnits: 7, epochs: 4, learningRate: 0.01).recipe(trainingCount: 240)
        #expect(recipe.hidden == [7] && recipe.options.epochs == 4 && recipe.options.learningRate == 0.01)
        // patience 0 trains every epoch asked for; another value replaces the recipe's; out of range is refused
        #expect(try TrainingRequest(kind: .mlp, patience: 0).recipe(trainingCount: 240).options.patience == nil)
        #expect(try TrainingRequest(kind: .mlp, patience: 3).recipe(trainingCount: 240).options.patience == 3)
        #expect(throws: StudioError.self) { _ = try TrainingRequest(kind: .mlp, patience: -1).recipe(trainingCount: 10) }
        // Unset knobs keep the recipe's defaults for the data.
        #expect(try TrainingRequest(kind: .cnn).recipe(trainingCount: 240) == ModelRecipe.defaults(for: .cnn, trainingCount: 240))
    }

    @Test func predictionsListEveryClassMostProbableFirst() throws {
        let (model, dataset) = try Self.tinyModel()
        let prediction = try model.prediction(dataset.image(at: dataset.split.test[0]))
        #expect(prediction.classes.count == 40)
        #expect(abs(prediction.classes.map(\.probability).reduce(0, +) - 1) < 1e-4)
        #expect(prediction.classes.first?.class == prediction.predicted)
        #expect(zip(prediction.classes, prediction.classes.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        #expect(throws: StudioError.self) { _ = try ImageInput.tensor(Data("GIF89a".utf8), preprocessing: dataset.preprocessing) }
    }

    @Test func explanationMapsShareOneScale() throws {
        let (model, dataset) = try Self.tinyModel(kind: .mlp)
        var request = ExplanationRequest()
        request.includeRaw = true
        let explanation = try model.explain(dataset.image(at: dataset.split.test[3]), request)
        // An MLP: every registered method but those that need a convolutional layer.
        #expect(explanation.maps.map(\.method) == AttributionMethod.allCases.filter { ![.gradcam, .guidedGradcam].contains($0) }.map(\.rawValue))
        // One signed scale over every map (integrated gradients is signed) at the 99th percentile
        // (linear, as NumPy's) of every |value| of every map: gray input, so a map's plane is its raw values.
        let pooled = explanation.maps.flatMap { ($0.raw ?? []).map(abs) }.sorted()
        let rank = 0.99 * Double(pooled.count - 1), low = Int(rank)
        let percentile = pooled[low] + (pooled[low + 1] - pooled[low]) * Float(rank - Double(low))
        #expect(explanation.sharedScale.kind == "signed" && explanation.sharedScale.robust)
        #expect(abs(explanation.sharedScale.high - percentile) <= 1e-6 * percentile)
        #expect(explanation.sharedScale.low == -explanation.sharedScale.high)
        #expect(explanation.maps.allSatisfy { $0.maxMagnitude == ($0.raw ?? []).map(abs).max() })
        #expect(throws: StudioError.self) { _ = try model.explain(dataset.image(at: 0), ExplanationRequest(targetClass: "nobody")) }
    }

    @Test func aCancelledJobWritesNothingAndAFinishedOneIsAdded() async throws {
        let (_, dataset) = try Self.tinyModel()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lens-studio-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = ModelLibrary(directory: directory)
        library.setTrainingData(dataset)
        let long = try library.startTraining(TrainingRequest(kind: .mlp, hiddenUnits: 64, epochs: 500, patience: 0))
        #expect(throws: StudioError.self) { try library.startTraining(TrainingRequest(kind: .softmax, epochs: 1)) }
        #expect(library.runner.cancel())
        var kinds: [TrainingEvent.Kind] = []
        for await event in library.runner.subscribe() { kinds.append(event.kind) }
        #expect(kinds.first == .started && kinds.last == .cancelled)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(long + ".safetensors").path))

        let short = try library.startTraining(TrainingRequest(kind: .softmax, epochs: 2))
        var last: TrainingEvent?
        for await event in library.runner.subscribe() { last = event }
        #expect(last?.kind == .finished && last?.model == short)
        #expect(try library.entry(short).model.history?.epochs.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [short + ".safetensors"])
    }
}
