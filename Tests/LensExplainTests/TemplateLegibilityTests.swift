import LensData
import LensModels
import LensTensor
import Testing
@testable import LensExplain

/// The lecture's point about templates, as the defaults train them on ORL: softmax regression's
/// class templates look like the faces, and so do an MLP's strongest voters (its small-data
/// weight decay makes them legible), while random templates look like nothing.
@Suite struct TemplateLegibilityTests {
    @Test func mlpTemplatesAreAsFaceLikeAsSoftmaxTemplates() throws {
        let preprocessing = Preprocessing(size: 32)
        let data = try DatasetLoader.load(.orl, preprocessing: preprocessing)
        let split = SplitPlan.orl.split(labels: data.labels)
        let train = (data.images.gather(split.train), split.train.map { data.labels[$0] })
        let validation = (data.images.gather(split.validation), split.validation.map { data.labels[$0] })
        let test = (data.images.gather(split.test), split.test.map { data.labels[$0] })

        func trained(_ kind: ModelKind) throws -> (likeness: Float, accuracy: Double) {
            let recipe = ModelRecipe.defaults(for: kind, trainingCount: train.1.count)
            let model = try recipe.train(train: train, validation: validation, classNames: data.classNames, preprocessing: preprocessing,
                                         dataset: "orl", split: .orl, datasetCount: data.count)
            guard case .network(let network) = model.model else { throw ExplainError.invalidInput("\(kind) trained no network") }
            let likeness = try Templates(of: network).faceLikeness(trainingImages: train.0, labels: train.1).mean
            let accuracy = ClassificationReport(predicted: network.predictions(test.0), actual: test.1, classNames: data.classNames).accuracy
            print("face-likeness \(kind): \(likeness), test accuracy \(accuracy)")
            return (likeness, accuracy)
        }
        let softmax = try trained(.softmax), mlp = try trained(.mlp)
        #expect(softmax.likeness > 0.3)
        #expect(mlp.likeness >= softmax.likeness)
        #expect(mlp.accuracy >= 0.9)

        var generator = SeededGenerator(seed: 1)
        let random = (0..<40).map { _ in (0..<(32 * 32)).map { _ in generator.nextNormal() } }
        #expect(abs(try FaceLikeness(classTemplates: random, images: train.0, labels: train.1).mean) < 0.05)
    }
}
