import Foundation
import LensData
import LensModels
import Testing
@testable import LensCLI
import LensTestSupport

@Suite("lens train --model knn on a folder of JPEGs and PNGs of mixed sizes and colour")
struct FolderTrainingTests {
    @Test("the generated folder really mixes formats, sizes and colour")
    func folderIsMixed() throws {
        let scratch = try ScratchFolder()
        let info = try DatasetLoader.info(DatasetSource(argument: try scratch.writePatternDataset()))
        #expect(info.classNames == ["centre", "left", "top"])
        #expect(info.countsPerClass == [10, 10, 10])
        #expect(info.skipped.isEmpty)
        #expect(Set(info.imageSizes.map(\.shape.channels)) == [1, 3, 4])
        #expect(Set(info.imageSizes.map { "\($0.shape.width)x\($0.shape.height)" }).count >= 10)
    }

    @Test("train writes a loadable model that evaluates on the test split and predicts any image")
    func trainEvaluatePredict() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let modelPath = scratch.path("patterns.safetensors")

        let train = try parse(TrainCommand.self, ["train", "--model", "knn", "--data", data, "--out", modelPath])
        let (trained, summary) = try train.train()
        #expect(summary.train + summary.validation + summary.test == 30)
        #expect(summary.test == 6, "15% of 10 per class rounds to 2 per class")

        let loaded = try ModelFile(contentsOf: URL(fileURLWithPath: modelPath))
        #expect(loaded.provenance == trained.provenance)
        #expect(loaded.provenance.kind == .knn)
        #expect(loaded.provenance.classNames == ["centre", "left", "top"])
        #expect(loaded.provenance.datasetCount == 30)
        guard case .nearestNeighbor(let classifier) = loaded.model else {
            Issue.record("a knn model file loaded as a network")
            return
        }
        #expect(classifier.labels.count == summary.train)
        #expect(classifier.references.shape == [summary.train, 64 * 64], "folders default to 64x64 gray")

        let evaluation = try parse(EvaluateCommand.self, ["evaluate", "--model", modelPath]).evaluate()
        #expect(evaluation.split == .test)
        #expect(evaluation.n == summary.test)
        #expect(evaluation.accuracy >= 0.8, "three shapes this distinct are told apart: \(evaluation.accuracy)")
        #expect(evaluation.perClass.map(\.name) == ["centre", "left", "top"])

        // A probe of another size and colour (RGBA PNG, never seen) and a JPEG bigger than any training image.
        let probe = try scratch.write("probe.png", try Pattern.left.png(width: 120, height: 90, channels: 4))
        let jpeg = Fixture.url("probe-left-rgb-100x75.jpg").path
        let predictions = try parse(PredictCommand.self, ["predict", "--model", modelPath, probe, jpeg]).predict()
        #expect(predictions.map(\.image) == [probe, jpeg])
        for prediction in predictions {
            #expect(prediction.predicted == "left")
            #expect(prediction.top.count == 3)
            #expect(prediction.top.first?.class == "left")
            #expect(zip(prediction.top, prediction.top.dropFirst()).allSatisfy { $0.probability >= $1.probability })
            #expect(abs(prediction.top.map(\.probability).reduce(0, +) - 1) < 1e-5)
            #expect(prediction.neighbors?.count == 1, "1-NN shows its one neighbour as evidence")
            #expect(prediction.neighbors?.first?.class == "left")
        }
    }
}
