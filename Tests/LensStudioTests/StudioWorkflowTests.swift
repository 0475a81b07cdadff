import Foundation
import LensData
import LensModels
import LensStudio
import LensTestSupport
import Testing

/// The work the CLI and the server share: datasets with their notes, evaluation, prediction,
/// training with progress and the demo's networks, each checked without any front end.
@Suite struct StudioWorkflowTests {
    /// A folder dataset of `classes` classes of `perClass` 4x4 PGM images each, plus `broken`
    /// unreadable files in the first class.
    static func folder(_ scratch: ScratchFolder, classes: Int, perClass: Int, broken: Int = 0) throws -> String {
        for c in 0..<classes {
            for i in 0..<perClass {
                let pixels = (0..<16).map { String(($0 * (c + 1) + i * 7) % 256) }.joined(separator: " ")
                try scratch.write("data/class\(c)/\(i).pgm", Data("P2 4 4 255\n\(pixels)\n".utf8))
            }
        }
        for i in 0..<broken { try scratch.write("data/class0/broken\(i).png", Data("not a png".utf8)) }
        return scratch.path("data")
    }

    @Test func aDatasetReturnsItsSkippedFilesAndWarningsInsteadOfPrintingThem() throws {
        let scratch = try ScratchFolder()
        let path = try Self.folder(scratch, classes: 3, perClass: 1, broken: 2)
        let dataset = try StudioDataset(named: path, preprocessing: Preprocessing(size: 4))
        #expect(dataset.skipped.count == 2 && dataset.skipped.allSatisfy { $0.path.contains("broken") })
        #expect(dataset.warnings == ["warning: the validation and test split of \(path) is empty: 3 images in 3 classes are too few "
                                     + "to hold any out (give each class several images, e.g. 7 or more)"])
        #expect(throws: DatasetError.self) { _ = try StudioDataset(named: path, preprocessing: Preprocessing(size: 4), strict: true) }
        // Enough images per class: no warning, and the parts of the split cover every item once.
        let other = try ScratchFolder()
        let roomy = try StudioDataset(named: try Self.folder(other, classes: 2, perClass: 10), preprocessing: Preprocessing(size: 4))
        #expect(roomy.warnings.isEmpty)
        let parts = [SplitChoice.train, .validation, .test].flatMap { roomy.indices($0) }
        #expect(parts.sorted() == roomy.indices(.all) && roomy.indices(.all) == Array(0..<20))
    }

    @Test func theImageSideIsCheckedInOnePlaceInThePersonsWords() throws {
        #expect(throws: StudioError(.invalidInput, "image side 600 is out of range: give an image side between 4 and 512 pixels")) {
            _ = try StudioDataset.preprocessing(for: .orl, size: 600)
        }
        #expect(throws: StudioError(.invalidInput, "--size 3 is out of range: give an image side between 4 and 512 pixels")) {
            try StudioDataset.checkSize(3, name: "--size")
        }
        #expect(try StudioDataset.preprocessing(for: .orl, size: 32, rgb: true) == Preprocessing(size: 32, channels: 3))
        #expect(try StudioDataset.preprocessing(for: .orl) == DatasetLoader.defaultPreprocessing(for: .orl))
    }

    @Test func theOverviewHoldsTheSameEvaluationAsTheCommandLine() throws {
        let (model, dataset) = try StudioServiceTests.tinyModel()
        let evaluation = try Evaluation(model, named: "tiny", on: dataset, split: .test)
        let evaluated = try EvaluatedModel(model: model, dataset: dataset, name: "tiny")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(evaluated.overview.test) == encoder.encode(evaluation))
        #expect(evaluation.n == dataset.split.test.count && evaluation.correct == (0..<40).map { evaluation.confusion[$0][$0] }.reduce(0, +))
        // The pages' top-level keys stay, and the JSON reads back.
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(evaluated.overview)) as? [String: Any])
        #expect(json["testAccuracy"] as? Double == evaluation.accuracy && (json["test"] as? [String: Any])?["split"] as? String == "test")
        #expect(try JSONDecoder().decode(ModelOverview.self, from: encoder.encode(evaluated.overview)).test.correct == evaluation.correct)
        // A split with nothing in it is an error, not a score of 0 out of 0.
        var empty = dataset
        empty.split.validation = []
        #expect(throws: StudioError(.invalidInput, "the validation split of orl is empty")) {
            _ = try Evaluation(model, named: "tiny", on: empty, split: .validation)
        }
    }

    @Test func aNearestNeighbourPredictionCarriesItsEvidence() throws {
        let dataset = try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 8))
        var recipe = ModelRecipe.defaults(for: .knn, trainingCount: dataset.split.train.count)
        recipe.k = 3
        let (model, summary) = try dataset.train(recipe, name: "knn")
        #expect(summary.model == "knn" && summary.kind == "knn" && summary.dataset == "orl" && summary.classes == 40)
        #expect((summary.train, summary.validation, summary.test) == (240, 80, 80))
        #expect(summary.validationAccuracy == model.provenance.validationAccuracy && summary.seconds == model.provenance.trainingSeconds)
        #expect(summary.epochs == nil, "k-NN trains no epochs")
        let training = dataset.trainingSet
        let prediction = try model.prediction(dataset.image(at: dataset.split.train[5]))
        let neighbors = try #require(prediction.neighbors)
        #expect(neighbors.count == 3 && neighbors[0].index == 5 && neighbors[0].distance < 0.05, "a training image is its own nearest neighbour")
        #expect(neighbors[0].class == dataset.data.classNames[training.labels[neighbors[0].index]])
        #expect(zip(neighbors, neighbors.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        let (network, tiny) = try StudioServiceTests.tinyModel()
        #expect(try network.prediction(tiny.image(at: 0)).neighbors == nil)
    }

    @Test func trainingReportsProgressAndASummary() throws {
        let dataset = try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 8))
        var recipe = ModelRecipe.defaults(for: .softmax, trainingCount: dataset.split.train.count)
        recipe.options.epochs = 3
        var fractions: [Double] = [], ends = 0
        let (model, summary) = try dataset.train(recipe, name: "soft.safetensors", observer: TrainingObserver(batchEnded: { progress in
            fractions.append(progress.fraction)
            if progress.epochEnded { ends += 1 }
            #expect(progress.epochs == 3)
        }))
        #expect(ends == 3 && fractions.last == 1 && zip(fractions, fractions.dropFirst()).allSatisfy { $0 < $1 })
        #expect(summary.model == "soft.safetensors" && summary.epochs == 3 && summary.train == 240)
        #expect(summary.validationAccuracy == model.provenance.validationAccuracy && summary.validationAccuracy != nil)
        #expect(model.provenance.datasetFingerprint == dataset.fingerprint, "the file list is recorded for evaluate's check")
        // Scoring on other data is said to be so.
        var other = dataset
        other.source = .folder(URL(fileURLWithPath: "/elsewhere"))
        #expect(other.comparedWithTraining(model, choice: .test).first?.hasPrefix("note: /elsewhere is not the training dataset (orl)") == true)
        #expect(dataset.comparedWithTraining(model, choice: .test).isEmpty)
    }

    @Test func aFinishedJobEndsWithTheSummaryLensTrainPrints() async throws {
        let (_, dataset) = try StudioServiceTests.tinyModel()
        let scratch = try ScratchFolder()
        let library = ModelLibrary(directory: scratch.url)
        library.setTrainingData(dataset)
        let name = try library.startTraining(TrainingRequest(kind: .softmax, epochs: 2))
        var last: TrainingEvent?
        for await event in library.runner.subscribe() { last = event }
        let summary = try #require(last?.summary, "\(String(describing: last))")
        #expect(summary.model == name && summary.kind == "softmax" && summary.epochs == 2 && summary.train == dataset.split.train.count)
    }

    @Test func theDemosNetworksHaveOneRecipe() {
        let mlp = DemoModels.recipe(DemoModels.mlp, trainingCount: 240)
        #expect(mlp.hidden == [300] && mlp.options.epochs == ModelRecipe.defaults(for: .mlp, trainingCount: 240).options.epochs)
        let quick = DemoModels.recipe(DemoModels.cnn, trainingCount: 240, quick: true)
        #expect(quick.options.epochs == max(1, ModelRecipe.defaults(for: .cnn, trainingCount: 240).options.epochs / 4))
        #expect(DemoModels.recipe(DemoModels.sweep(units: 5), trainingCount: 240).options.epochs <= 30)
        // The server's model ids are kept across versions.
        #expect(DemoModels.served.map(\.name) == ["softmax", "mlp", "cnn"])
    }
}
