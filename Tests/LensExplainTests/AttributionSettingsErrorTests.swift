import LensExplain
import LensModels
import LensTensor
import Testing

/// Settings out of range and models a method cannot explain are errors that name the problem.
@Suite struct AttributionSettingsErrorTests {
    /// The setting named in the error of `method` run with `change` applied.
    func failingSetting(_ method: AttributionMethod, network: Network, inputs: Tensor,
                        _ change: (inout AttributionSettings) -> Void) -> String? {
        var settings = AttributionSettings(), network = network
        change(&settings)
        do {
            _ = try method.attribute(&network, inputs: inputs, targets: Array(repeating: 0, count: inputs.shape[0]), settings: settings)
        } catch let ExplainError.settingOutOfRange(setting, _, _) {
            return setting
        } catch {
            return "other error: \(error)"
        }
        return nil
    }

    @Test func outOfRangeSettingsNameTheSetting() throws {
        let network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(1)
        #expect(failingSetting(.integratedGradients, network: network, inputs: inputs) { $0.integrationSteps = 0 } == "integration steps")
        #expect(failingSetting(.occlusion, network: network, inputs: inputs) { $0.occlusionWindow = 0 } == "occlusion window")
        #expect(failingSetting(.occlusion, network: network, inputs: inputs) { $0.occlusionWindow = 13 } == "occlusion window")
        #expect(failingSetting(.occlusion, network: network, inputs: inputs) { $0.occlusionStride = 13 } == "occlusion stride")
        #expect(failingSetting(.smoothgrad, network: network, inputs: inputs) { $0.smoothGradNoise = -0.1 } == "SmoothGrad noise")
        #expect(failingSetting(.smoothgrad, network: network, inputs: inputs) { $0.smoothGradSamples = 0 } == "SmoothGrad samples")
        #expect(failingSetting(.saliency, network: network, inputs: inputs) { $0.batchSize = 0 } == "batch size")
        #expect(failingSetting(.integratedGradients, network: network, inputs: inputs) { $0.blurSigma = 0 } == "blur sigma")
        #expect(failingSetting(.occlusion, network: network, inputs: inputs) { $0.occlusionWindow = 12; $0.occlusionStride = 12 } == nil)
        let message = "\(ExplainError.settingOutOfRange(setting: "occlusion stride", value: "13", allowed: "between 1 and 12 (the images are 12x12)"))"
        #expect(message.contains("occlusion stride") && message.contains("13"))
    }

    @Test func gradCAMOnAnMLPNeedsAConvolution() throws {
        var network = try ExplainTestModels.mlp()
        let inputs = ExplainTestModels.random([2, 20], seed: 3)
        for method in [AttributionMethod.gradcam, .guidedGradcam] {
            #expect(throws: ExplainError.needsLayer(method: method.title, kind: "convolutional", layers: network.layerNames)) {
                _ = try method.attribute(&network, inputs: inputs, targets: [0, 1])
            }
        }
        #expect("\(ExplainError.needsLayer(method: "Grad-CAM", kind: "convolutional", layers: network.layerNames))".contains("fc1"))
        // Occlusion and the blurred baseline need images; the MLP's items are vectors.
        #expect(throws: ExplainError.self) { _ = try AttributionMethod.occlusion.attribute(&network, inputs: inputs, targets: [0, 1]) }
        var settings = AttributionSettings()
        settings.baseline = .blurred
        #expect(throws: ExplainError.self) {
            _ = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings)
        }
    }

    @Test func smoothGradNoiseOfTheWrongShapeOrAnEmptyBatchIsAnError() throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(2)
        #expect(throws: ExplainError.self) {
            _ = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: [0, 1],
                                                           context: AttributionContext(smoothGradNoise: Tensor(shape: [4, 1, 1, 12, 12])))
        }
        #expect(throws: ExplainError.self) {
            _ = try AttributionMethod.saliency.attribute(&network, inputs: Tensor(shape: [0, 1, 12, 12]), targets: [])
        }
    }

    /// Drawn SmoothGrad noise is seeded: the same seed gives the same map, another seed another,
    /// and zero noise gives the saliency map.
    @Test func smoothGradIsSeeded() throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(2)
        var settings = AttributionSettings()
        settings.smoothGradSamples = 5
        let first = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings).maps
        let again = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings).maps
        settings.seed = 1
        let other = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings).maps
        #expect(first == again && first != other)
        settings.smoothGradNoise = 0
        let noiseless = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings).maps
        let saliency = try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: [0, 1]).maps
        #expect(maxDifference(noiseless.scalars, saliency.scalars) < 1e-6)
    }
}
