import LensExplain
import LensModels
import LensTensor
import Testing

/// The checked questions explanations ask of a network: bad names and targets are errors that
/// list what exists, and the answers agree with the raw backward pass.
@Suite struct NetworkFacadeTests {
    static func smallCNN() throws -> Network {
        let architecture = try Architecture(inputShape: [1, 8, 8], layers: [
            LayerSpec(name: "conv1", operation: .conv2d(inChannels: 1, outChannels: 3, kernel: 3, stride: 1, padding: 1)),
            LayerSpec(name: "relu1", operation: .relu),
            LayerSpec(name: "pool1", operation: .maxPool2d(kernel: 2, stride: 2)),
            LayerSpec(name: "flatten", operation: .flatten),
            LayerSpec(name: "fc1", operation: .linear(inFeatures: 48, outFeatures: 4)),
        ])
        return Network(architecture: architecture, seed: 3)
    }

    static func inputs(_ count: Int) -> Tensor {
        Tensor(shape: [count, 1, 8, 8], scalars: (0..<(count * 64)).map { Float(($0 * 37) % 101) / 101 })
    }

    @Test func unknownLayerListsTheLayers() throws {
        var network = try Self.smallCNN()
        #expect(throws: NetworkError.unknownLayer(name: "conv9", layers: ["conv1", "relu1", "pool1", "flatten", "fc1"])) {
            _ = try network.activations(Self.inputs(2), at: ["conv9"])
        }
        #expect(throws: NetworkError.self) {
            _ = try network.targetGradients(Self.inputs(2), targets: [0, 1], at: ["nope"])
        }
        #expect("\(NetworkError.unknownLayer(name: "conv9", layers: ["conv1", "fc1"]))".contains("conv1, fc1"))
    }

    @Test func badTargetsAndShapesAreErrors() throws {
        var network = try Self.smallCNN()
        #expect(throws: NetworkError.targetOutOfRange(target: 4, classCount: 4)) {
            _ = try network.targetGradients(Self.inputs(2), targets: [0, 4])
        }
        #expect(throws: NetworkError.targetCountMismatch(items: 2, targets: 1)) {
            _ = try network.targetGradients(Self.inputs(2), targets: [0])
        }
        #expect(throws: NetworkError.self) {
            _ = try network.targetGradients(Tensor(shape: [2, 1, 7, 8]), targets: [0, 1])
        }
        _ = network.forward(Self.inputs(2))
        #expect(throws: NetworkError.outputGradientShapeMismatch(layer: "pool1", expectedShape: [2, 3, 4, 4], foundShape: [2, 4])) {
            _ = try network.backward(from: "pool1", outputGradient: Tensor(shape: [2, 4]))
        }
    }

    /// Each item's gradient is that of its own target logit: the batch answer equals item-by-item
    /// answers, and differs between two targets of the same image.
    @Test func perItemTargetsSelectTheirOwnLogit() throws {
        var network = try Self.smallCNN()
        let batch = Self.inputs(3)
        let targets = [2, 0, 3]
        let together = try network.targetGradients(batch, targets: targets).input
        for item in 0..<3 {
            let alone = try network.targetGradients(batch.slice(item..<(item + 1)), targets: [targets[item]]).input
            #expect(alone.scalars == together.slice(item..<(item + 1)).scalars)
        }
        let other = try network.targetGradients(batch.slice(0..<1), targets: [1]).input
        #expect(other.scalars != together.slice(0..<1).scalars)
    }

    /// The registry's three ReLU modes give three different maps from one code path, and the
    /// deconvnet and guided maps differ from the gradient (the ReLU rules differ on this net).
    @Test func registryRunsTheGradientFamily() throws {
        var network = try Self.smallCNN()
        let batch = Self.inputs(2)
        var maps: [AttributionMethod: Tensor] = [:]
        for method in [AttributionMethod.saliency, .guidedBackprop, .deconvnet] {
            let result = try method.attribute(&network, inputs: batch, targets: [1, 2])
            #expect(result.maps.shape == batch.shape)
            #expect(result.logits.shape == [2, 4])
            #expect(result.maps.scalars.contains { $0 != 0 })
            maps[method] = result.maps
        }
        #expect(maps[.saliency] != maps[.guidedBackprop])
        #expect(maps[.saliency] != maps[.deconvnet])
        #expect(throws: ExplainError.unknownMethod(name: "lime", methods: AttributionMethod.names)) {
            _ = try AttributionMethod.named("lime")
        }
    }
}
