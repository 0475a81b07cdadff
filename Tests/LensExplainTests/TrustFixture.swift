import LensData
import LensExplain
import LensModels
import LensTensor

/// Real ORL faces at 16x16 (small enough for a debug-build test) and small models trained on
/// them once, shared by the trust suites.
enum TrustFixture {
    struct Faces: Sendable {
        var train: (images: Tensor, labels: [Int])
        var validation: (images: Tensor, labels: [Int])
        var test: Tensor
        var classNames: [String]
    }

    static let faces: Faces = {
        // The bundled resource always decodes; a failure here is a broken build, not user input.
        let data = try! DatasetLoader.load(.orl, preprocessing: Preprocessing(size: 16, channels: 1))
        let split = SplitPlan.orl.split(labels: data.labels)
        func part(_ indices: [Int]) -> (Tensor, [Int]) { (data.images.gather(indices), indices.map { data.labels[$0] }) }
        return Faces(train: part(split.train), validation: part(split.validation), test: data.images.gather(split.test),
                     classNames: data.classNames)
    }()

    static func recipe(_ kind: ModelKind, architecture: String? = nil, epochs: Int, learningRate: Float, seed: UInt64 = 0) -> ModelRecipe {
        var recipe = ModelRecipe.defaults(for: kind, trainingCount: faces.train.labels.count, seed: seed)
        recipe.compactArchitecture = architecture
        recipe.options.epochs = epochs
        recipe.options.learningRate = learningRate
        recipe.options.augmentation = .none
        return recipe
    }

    static func train(_ recipe: ModelRecipe) -> Network {
        let architecture = try! recipe.architecture(inputShape: [1, 16, 16], classes: faces.classNames.count)
        return try! recipe.trainNetwork(architecture, train: faces.train, validation: faces.validation).network
    }

    /// Softmax regression, 15 epochs (about 0.9 test accuracy at 16x16).
    static let softmaxRecipe = recipe(.softmax, epochs: 15, learningRate: 1e-2)
    static let softmax = train(softmaxRecipe)
    /// A small CNN: conv 3x3x8, pool, conv 3x3x8, pool, fc 32.
    static let cnnRecipe = recipe(.cnn, architecture: "conv3x3x8,pool,conv3x3x8,pool,fc32", epochs: 20, learningRate: 3e-3)
    static let cnn = train(cnnRecipe)

    static func accuracy(_ network: Network) -> Double {
        Trainer.evaluate(network, images: faces.validation.images, labels: faces.validation.labels).accuracy
    }

    static func settings(samples: Int = 12) -> TrustSettings {
        var settings = TrustSettings()
        settings.samples = samples
        return settings
    }
}
