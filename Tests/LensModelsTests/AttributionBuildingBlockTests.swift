import LensModels
import LensTensor
import Testing

/// The explanations issue builds its methods on `backward(from:seed:reluMode:capturingGradientsAt:)`.
/// These checks show that the engine already gives Captum's saliency, guided backprop, deconvnet
/// and Grad-CAM from the right seed and ReLU mode (attr.integrated_gradients and attr.occlusion
/// are whole methods and are left to that issue).
@Suite struct AttributionBuildingBlockTests {
    /// One-hot of each item's target class: the seed for d logit[target] / d input.
    static func targetSeed(_ loaded: LoadedFixture, classes: Int) -> Tensor {
        var seed = Tensor(shape: [loaded.targets.count, classes])
        for (row, target) in loaded.targets.enumerated() { seed.scalars[row * classes + target] = 1 }
        return seed
    }

    @Test(arguments: ConformanceFixture.all)
    func saliencyGuidedBackpropAndDeconvnet(_ fixture: ConformanceFixture) throws {
        let loaded = try LoadedFixture(fixture)
        var network = loaded.network
        _ = network.forward(loaded.input)
        let seed = Self.targetSeed(loaded, classes: network.architecture.classCount)
        var compared = 0
        for (name, mode) in [("attr.saliency", ReLUBackwardMode.gradient), ("attr.guided_backprop", .guided),
                             ("attr.deconvolution", .deconvnet)] {
            guard let expected = loaded.file[name] else { continue }
            let actual = try network.backward(outputGradient: seed, reluMode: mode, parameterGradients: .skip).input
            #expect(mismatch(actual, expected, .forward) == nil, "\(fixture.testDescription) \(name)")
            compared += 1
        }
        #expect(compared >= 1, "\(fixture.testDescription) has no attr.saliency to compare")
    }

    @Test(arguments: ConformanceFixture.all)
    func gradCAMFromCapturedActivationAndGradient(_ fixture: ConformanceFixture) throws {
        let loaded = try LoadedFixture(fixture)
        guard let expected = loaded.file["attr.gradcam"],
              let layer = loaded.file.metadata["gradcam"]?.split(separator: " ").dropFirst().first.map({ String($0.filter { $0 != "," }) })
        else { return }
        var network = loaded.network
        let activation = try #require(network.forward(loaded.input, capturing: [layer]).activations[layer])
        let seed = Self.targetSeed(loaded, classes: network.architecture.classCount)
        let gradient = try #require(network.backward(outputGradient: seed, capturingGradientsAt: [layer],
                                                     parameterGradients: .skip).layers[layer])
        let (batch, channels, height, width) = (activation.shape[0], activation.shape[1], activation.shape[2], activation.shape[3])
        var map = Tensor(shape: [batch, 1, height, width])
        for n in 0..<batch {
            for c in 0..<channels {
                let plane = (n * channels + c) * height * width
                let weight = gradient.scalars[plane..<(plane + height * width)].reduce(0, +) / Float(height * width)
                for i in 0..<(height * width) { map.scalars[n * height * width + i] += weight * activation.scalars[plane + i] }
            }
        }
        for i in map.scalars.indices { map.scalars[i] = max(map.scalars[i], 0) }
        #expect(mismatch(map, expected, .forward) == nil, "\(fixture.testDescription) attr.gradcam on \(layer)")
    }
}
