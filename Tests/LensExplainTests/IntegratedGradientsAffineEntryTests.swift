@testable import LensExplain
import LensModels
import LensTensor
import Testing

/// Integrated gradients through an affine first layer (`Network.firstLayerIsAffine`): the path
/// enters at that layer's output and its transpose runs once; the maps must equal the definition,
/// (x − x₀) ⊙ Σₖ wₖ ∂F/∂x(x₀ + αₖ(x − x₀)), computed here point by point through the whole network.
@Suite struct IntegratedGradientsAffineEntryTests {
    static func node(_ name: String, _ operation: LayerSpec.Operation, _ inputs: String...) -> LayerSpec {
        LayerSpec(name: name, operation: operation, inputs: inputs)
    }

    static func conv(_ inChannels: Int, _ outChannels: Int, stride: Int = 1) -> LayerSpec.Operation {
        .convolution(Convolution(inChannels: inChannels, outChannels: outChannels,
                                 window: Window(kernelHeight: 3, kernelWidth: 3, strideY: stride, strideX: stride, pads: [1, 1, 1, 1])))
    }

    /// A strided stem whose output feeds a ReLU and, past it, a residual Add (read twice), then pooling and a Gemm.
    static func residual(inputFeedsTwoLayers: Bool = false) throws -> Network {
        var layers = [
            node("stem", conv(2, 4, stride: 2), Architecture.inputName),
            node("r0", .relu, "stem"),
            node("c1", conv(4, 4), "r0"),
            node("r1", .relu, "c1"),
            node("c2", conv(4, 4), "r1"),
            node("sum", .add, "c2", "stem"),
            node("r2", .relu, "sum"),
            node("gap", .globalAveragePool, "r2"),
            node("flat", .flatten, "gap"),
            node("fc", .linear(inFeatures: 4, outFeatures: 3), "flat"),
        ]
        if inputFeedsTwoLayers {
            // A second reader of the input: the path must then run through the whole network.
            layers.insert(node("side", conv(2, 4, stride: 2), Architecture.inputName), at: 1)
            layers[6] = node("sum", .add, "c2", "side")
        }
        return try ExplainTestModels.withRandomBiases(Network(architecture: try Architecture(inputShape: [2, 9, 7], layers: layers), seed: 3))
    }

    /// (x − x₀) ⊙ Σₖ wₖ ∂F/∂x at each path point, one `targetGradients` per point.
    static func definition(_ network: inout Network, inputs: Tensor, baselines: Tensor, targets: [Int],
                           settings: AttributionSettings) throws -> [Float] {
        let (alphas, weights) = settings.integrationRule.nodes(count: settings.integrationSteps)
        var sum = [Float](repeating: 0, count: inputs.count)
        for (alpha, weight) in zip(alphas, weights) {
            let point = Tensor(shape: inputs.shape, scalars: zip(inputs.scalars, baselines.scalars).map { x, x0 in x0 + Float(alpha) * (x - x0) })
            let gradient = try network.targetGradients(point, targets: targets).input
            for i in sum.indices { sum[i] += Float(weight) * gradient.scalars[i] }
        }
        return sum.indices.map { sum[$0] * (inputs.scalars[$0] - baselines.scalars[$0]) }
    }

    static func check(_ network: inout Network, inputs: Tensor, settings: AttributionSettings,
                      context: AttributionContext = AttributionContext()) throws {
        let targets = (0..<inputs.shape[0]).map { $0 % 3 }
        let result = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: targets,
                                                                          settings: settings, context: context)
        let baselines = try IntegratedGradients.baselines(for: inputs, settings: settings, context: context)
        let expected = try definition(&network, inputs: inputs, baselines: baselines, targets: targets, settings: settings)
        let scale = expected.reduce(0) { max($0, abs($1)) }
        #expect(scale > 1e-3, "the maps must not be trivially zero")
        #expect(maxDifference(result.maps.scalars, expected) <= 1e-4 * scale, "max |diff| against the definition, scale \(scale)")
    }

    @Test func convolutionFirstLayerMatchesTheDefinition() throws {
        var network = try ExplainTestModels.cnn()
        #expect(network.firstLayerIsAffine)
        var settings = AttributionSettings()
        settings.integrationSteps = 9
        settings.batchSize = 4   // several batches per item, and batches across items
        try Self.check(&network, inputs: ExplainTestModels.images(3), settings: settings)
        settings.baseline = .blurred
        settings.integrationRule = .midpoint
        try Self.check(&network, inputs: ExplainTestModels.images(2, seed: 12), settings: settings)
    }

    @Test func linearFirstLayerMatchesTheDefinition() throws {
        var network = try ExplainTestModels.withRandomBiases(Network(architecture: try Architecture(inputShape: [20], layers: [
            Self.node("fc1", .linear(inFeatures: 20, outFeatures: 12), Architecture.inputName),
            Self.node("relu", .relu, "fc1"),
            Self.node("fc2", .linear(inFeatures: 12, outFeatures: 3), "relu"),
        ]), seed: 7))
        #expect(network.firstLayerIsAffine)
        #expect(!(try ExplainTestModels.mlp()).firstLayerIsAffine, "lens's own MLPs start with a flatten: the whole path")
        var settings = AttributionSettings()
        settings.integrationSteps = 7
        try Self.check(&network, inputs: ExplainTestModels.random([4, 20], seed: 21), settings: settings)
    }

    /// The first layer's output read twice (a ReLU and a residual Add), with a mean baseline.
    @Test func residualGraphMatchesTheDefinition() throws {
        var network = try Self.residual()
        #expect(network.firstLayerIsAffine)
        var settings = AttributionSettings()
        settings.integrationSteps = 6
        settings.baseline = .mean
        let mean = ExplainTestModels.random([2, 9, 7], seed: 41, scale: 0.5)
        try Self.check(&network, inputs: ExplainTestModels.random([3, 2, 9, 7], seed: 40), settings: settings,
                       context: AttributionContext(meanImage: mean))
    }

    /// An input read by two layers, or a first layer that is not affine: the whole network runs at every point.
    @Test func otherNetworksTakeTheWholePath() throws {
        var twoReaders = try Self.residual(inputFeedsTwoLayers: true)
        #expect(!twoReaders.firstLayerIsAffine)
        var settings = AttributionSettings()
        settings.integrationSteps = 5
        try Self.check(&twoReaders, inputs: ExplainTestModels.random([2, 2, 9, 7], seed: 42), settings: settings)
        let poolFirst = Network(architecture: try .parse("pool,conv3x3x4,fc5", inputShape: [1, 12, 12], classes: 3), seed: 4)
        #expect(!poolFirst.firstLayerIsAffine)
        let softmax = try ExplainTestModels.softmaxRegression()
        #expect(!softmax.firstLayerIsAffine, "a single layer has nothing above it")
    }

    /// The two halves of the identity: the gradient above the first layer, carried through its transpose,
    /// is the input gradient; shapes that do not fit are errors, not traps.
    @Test func gradientAboveTheFirstLayerCarriedDownIsTheInputGradient() throws {
        var network = try Self.residual()
        let inputs = ExplainTestModels.random([2, 2, 9, 7], seed: 43)
        let whole = try network.targetGradients(inputs, targets: [2, 1]).input
        let above = try network.targetGradientsAboveFirstLayer(try network.firstLayerOutput(inputs), targets: [2, 1])
        #expect(above.shape == [2] + network.firstLayerOutputShape)
        let carried = try network.firstLayerInputGradient(above, input: inputs)
        let scale = whole.scalars.reduce(0) { max($0, abs($1)) }
        #expect(carried.shape == inputs.shape && maxDifference(carried.scalars, whole.scalars) <= 1e-5 * scale)
        #expect(throws: NetworkError.self) { _ = try network.targetGradientsAboveFirstLayer(inputs, targets: [2, 1]) }
        #expect(throws: NetworkError.self) { _ = try network.firstLayerInputGradient(inputs, input: inputs) }
        #expect(throws: NetworkError.self) { _ = try network.targetGradientsAboveFirstLayer(above, targets: [2, 7]) }
        let none = try network.targetGradientsAboveFirstLayer(Tensor(shape: [0] + network.firstLayerOutputShape), targets: [])
        #expect(none.shape == [0] + network.firstLayerOutputShape)
    }
}
