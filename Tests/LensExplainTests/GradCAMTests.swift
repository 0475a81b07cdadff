@testable import LensExplain
import LensModels
import LensTensor
import Testing

@Suite struct GradCAMTests {
    /// PyTorch: F.interpolate([[1, 2], [3, 4]], size=(4, 4), mode="bilinear", align_corners=False).
    @Test func bilinearMatchesPyTorchHalfPixelCentres() {
        let coarse = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let resized = ImageResampling.bilinear(coarse, height: 4, width: 4)
        #expect(resized.scalars == [1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0])
    }

    /// By default the ReLU after the last convolution; any spatial layer from the first
    /// convolution on by name; the coarse map at that layer's size, the map at the input's,
    /// repeated over its channels.
    @Test func layersAndShapes() throws {
        var network = Network(architecture: try .parse("conv3x3x4,pool,conv3x3x6,pool,fc8", inputShape: [3, 12, 12], classes: 3), seed: 4)
        var generator = SeededGenerator(seed: 5)
        let inputs = Tensor(shape: [2, 3, 12, 12], scalars: (0..<864).map { _ in generator.nextUniform() })
        let result = try AttributionMethod.gradcam.attribute(&network, inputs: inputs, targets: [0, 2])
        let names = network.layerNames
        #expect(result.settings["layer"] == names[names.firstIndex(of: "conv2")! + 1])
        #expect(result.auxiliary["gradcam"]?.shape == [2, 1, 6, 6])
        #expect(result.maps.shape == [2, 3, 12, 12])
        #expect(Array(result.maps.scalars[0..<144]) == Array(result.maps.scalars[144..<288]))
        #expect(result.maps.scalars.allSatisfy { $0 >= 0 })

        var settings = AttributionSettings()
        settings.layer = "conv1"
        #expect(try AttributionMethod.gradcam.attribute(&network, inputs: inputs, targets: [0, 2], settings: settings)
            .auxiliary["gradcam"]?.shape == [2, 1, 12, 12])
        settings.layer = "fc1"
        #expect(throws: ExplainError.self) {
            _ = try AttributionMethod.gradcam.attribute(&network, inputs: inputs, targets: [0, 2], settings: settings)
        }
        settings.layer = "conv7"
        #expect(throws: NetworkError.unknownLayer(name: "conv7", layers: names)) {
            _ = try AttributionMethod.guidedGradcam.attribute(&network, inputs: inputs, targets: [0, 2], settings: settings)
        }
    }

    /// A batch-normalised conv's block ends at the ReLU after its batch norm, not at the raw conv:
    /// the default faces CNN reads relu3, as it did before it had batch norms.
    @Test func defaultLayerSkipsTheBatchNorm() throws {
        var network = Network(architecture: try .parse("conv3x3x4,bn,pool,conv3x3x6,bn,pool,fc8", inputShape: [1, 12, 12], classes: 3), seed: 4)
        let inputs = Tensor(shape: [1, 1, 12, 12], scalars: (0..<144).map { Float($0 % 7) / 7 })
        #expect(try AttributionMethod.gradcam.attribute(&network, inputs: inputs, targets: [1]).settings["layer"] == "relu2")
        let faces = Network(architecture: try .cnn(inputShape: [1, 64, 64], classes: 40), seed: 0)
        #expect(try GradCAM.layer(of: faces, named: nil, method: .gradcam) == "relu3")
    }

    /// With residual blocks and no global pooling, the default is the last block's output (its
    /// ReLU after the sum), not the batch norm inside it; with a downsampling skip as well.
    @Test func defaultLayerIsTheLastResidualBlocksOutput() throws {
        for spec in ["res3x3x4,res3x3x4,fc8", "res3x3x4,res3x3x8s2,fc8"] {
            let network = Network(architecture: try .parse(spec, inputShape: [1, 12, 12], classes: 3), seed: 4)
            #expect(try GradCAM.layer(of: network, named: nil, method: .gradcam) == "res2.relu", "\(spec)")
        }
    }

    /// Guided Grad-CAM is guided backprop times the upsampled Grad-CAM map.
    @Test func guidedGradCAMIsTheProduct() throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(3)
        let targets = [2, 1, 0]
        let guided = try AttributionMethod.guidedBackprop.attribute(&network, inputs: inputs, targets: targets).maps
        let cam = try AttributionMethod.gradcam.attribute(&network, inputs: inputs, targets: targets).maps
        let product = try AttributionMethod.guidedGradcam.attribute(&network, inputs: inputs, targets: targets).maps
        #expect(maxDifference(product.scalars, zip(guided.scalars, cam.scalars).map { $0 * $1 }) < 1e-6)
        #expect(product.scalars.contains { $0 != 0 })
    }
}
