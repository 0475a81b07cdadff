import Foundation
import LensData
import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// Issue 18's targets for the lecture's first picture, with the defaults as `lens train` and the
/// demo train them on ORL (seed 0, the default preprocessing): softmax regression's class templates
/// are faces (face-likeness ≥ 0.75) and smooth (≥ 0.9) at no cost in test accuracy (≥ 0.975); the
/// MLP's strongest voters stay smooth (≥ 0.9), face-like (≥ 0.5) and accurate.
@Suite struct TemplateTargetsTests {
    static func figures(_ kind: ModelKind, on dataset: StudioDataset, seed: UInt64 = 0) throws -> (figure: TemplatesFigure, accuracy: Double) {
        let recipe = ModelRecipe.defaults(for: kind, trainingCount: dataset.split.train.count, seed: seed)
        let (model, _) = try dataset.train(recipe, name: kind.rawValue)
        let figure = try model.templatesFigure(training: dataset.trainingSet)
        guard case .network(let network) = model.model else { throw StudioError(.failed, "\(kind) trained no network") }
        let test = dataset.split.test
        let accuracy = ClassificationReport(predicted: network.predictions(dataset.images(test)), actual: dataset.labels(test),
                                            classNames: dataset.data.classNames).accuracy
        print("\(kind), seed \(seed): \(figure.likeness?.label ?? "-") \(figure.likeness?.mean ?? .nan), smoothness \(figure.smoothness?.mean ?? .nan), test accuracy \(accuracy)")
        return (figure, accuracy)
    }

    @Test func orlTemplatesMeetTheTargets() throws {
        let dataset = try StudioDataset(named: "orl", preprocessing: try StudioDataset.preprocessing(for: .orl))
        let training = dataset.trainingSet
        var generator = SeededGenerator(seed: 1)
        let features = training.images.count / training.labels.count
        let random = (0..<40).map { _ in (0..<features).map { _ in generator.nextNormal() } }
        #expect(abs(try FaceLikeness(classTemplates: random, images: training.images, labels: training.labels).mean) < 0.05)

        let softmax = try Self.figures(.softmax, on: dataset)
        #expect(softmax.figure.likeness?.label == FaceLikeness.label(onFaces: true))
        #expect((softmax.figure.likeness?.mean ?? 0) >= 0.75)
        // SGD with decay 0.3, 80 epochs (docs/templates-defaults.md); static scores 0.64.
        #expect((softmax.figure.smoothness?.mean ?? 0) >= 0.9)
        #expect(softmax.accuracy >= 0.975)

        let mlp = try Self.figures(.mlp, on: dataset)
        #expect((mlp.figure.likeness?.mean ?? 0) >= 0.5)
        #expect((mlp.figure.smoothness?.mean ?? 0) >= 0.9)
        #expect(mlp.accuracy >= 0.975)
    }

    /// The softmax defaults were chosen over seeds 0, 1 and 2 (each seed its own split, weights and
    /// shuffling); the targets hold on the other two as well. Softmax trains in seconds; the MLP's
    /// other seeds are left to docs/templates-defaults.md.
    @Test(arguments: [UInt64(1), 2]) func softmaxTemplatesMeetTheTargetsOnOtherSeeds(seed: UInt64) throws {
        let dataset = try StudioDataset(named: "orl", preprocessing: try StudioDataset.preprocessing(for: .orl), seed: seed)
        let softmax = try Self.figures(.softmax, on: dataset, seed: seed)
        #expect((softmax.figure.likeness?.mean ?? 0) >= 0.75)
        #expect((softmax.figure.smoothness?.mean ?? 0) >= 0.9)
        #expect(softmax.accuracy >= 0.975)
    }

    /// Static scores near 0 on smoothness whatever it correlates with; a smooth picture near 1.
    @Test func staticCannotPassForASmoothTemplate() throws {
        var generator = SeededGenerator(seed: 3)
        let noise = (0..<8).map { _ in (0..<(32 * 32)).map { _ in generator.nextNormal() } }
        func wave(_ k: Int, _ i: Int) -> Float {
            let x = Double(i % 32 + k) / 5, y = Double(i / 32) / 6
            return Float(Foundation.sin(x) * Foundation.cos(y))
        }
        let smooth = (0..<8).map { k in (0..<(32 * 32)).map { wave(k, $0) } }
        let staticFigure = try TemplateSmoothness(classTemplates: noise, shape: [1, 32, 32])
        let smoothFigure = try TemplateSmoothness(classTemplates: smooth, shape: [1, 32, 32])
        #expect(abs(staticFigure.mean) < 0.5)
        #expect(smoothFigure.mean > 0.95)
        #expect(staticFigure.perClass.count == 8)
        #expect(throws: ExplainError.self) { _ = try TemplateSmoothness(classTemplates: noise, shape: [32 * 32]) }
    }

    /// Off faces the figure is named for what it measures, and each dataset owes its own credit.
    @Test func namesAndCreditsFollowTheData() {
        #expect(FaceLikeness.label(onFaces: false).contains("class-mean likeness"))
        #expect(!FaceLikeness.label(onFaces: false).contains("face"))
        #expect(DatasetSource.builtIn(recorded: "orl")?.holdsFaces == true)
        #expect(DatasetSource.builtIn(recorded: "fashion-mnist")?.holdsFaces == false)
        #expect(DatasetSource.builtIn(recorded: "fashion-mnist")?.credit?.contains("Fashion-MNIST") == true)
        #expect(DatasetSource.builtIn(recorded: "/data/mine") == nil)
        #expect(DatasetSource.folder(.init(fileURLWithPath: "/data/mine")).credit == nil)
    }
}
