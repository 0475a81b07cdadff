@testable import LensExplain
import LensModels
import LensTensor
import Testing

/// Folding batch normalisation into the convolution before it (as an ONNX import does, and as
/// `Network.foldingBatchNorm` does for lens's own networks) must not change what the maps say.
@Suite struct BatchNormFoldingMapsTests {
    /// conv → BN → ReLU, and two residual blocks (identity and projection skips), with γ, β and
    /// running statistics far from their initial 1 and 0 (one γ negative).
    static func network() throws -> (network: Network, images: Tensor) {
        let architecture = try Architecture.parse("conv3x3x6,bn,pool,res3x3x6,res3x3x8s2,gap", inputShape: [1, 16, 16], classes: 3)
        var network = Network(architecture: architecture, seed: 2)
        var generator = SeededGenerator(seed: 3)
        let norms = Set(architecture.layers.filter { if case .batchNorm = $0.operation { true } else { false } }.map(\.parameterPrefix))
        #expect(norms.count == 6)
        network.updateParameters { name, parameter in
            let prefix = String(name[..<(name.lastIndex(of: ".") ?? name.endIndex)])
            guard norms.contains(prefix) else { return }
            if name.hasSuffix(".weight") { parameter.value.scalars = parameter.value.scalars.indices.map { $0 == 1 ? -0.7 : 0.5 + generator.nextUniform() } }
            if name.hasSuffix(".bias") { parameter.value.scalars = parameter.value.scalars.map { _ in generator.nextNormal() * 0.3 } }
        }
        for _ in 0..<4 {   // running statistics of a few batches
            _ = network.forward(Tensor(shape: [8, 1, 16, 16], scalars: (0..<2048).map { _ in generator.nextNormal() * 2 + 0.5 }), training: true)
        }
        let images = Tensor(shape: [5, 1, 16, 16], scalars: (0..<1280).map { _ in generator.nextUniform() })
        return (network, images)
    }

    /// max |a − b| ≤ 1e-3 · max |b| + 1e-6.
    static func close(_ a: Tensor, _ b: Tensor) -> Bool {
        let scale = b.scalars.reduce(Float(0)) { max($0, abs($1)) }
        return a.count == b.count && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-3 * scale + 1e-6 }
    }

    @Test func foldingLeavesLogitsMapsAndUnitsAsTheyWere() throws {
        var (network, images) = try Self.network()
        var folded = try network.foldingBatchNorm()
        #expect(folded.layerNames == network.layerNames)
        #expect(!folded.parameters.contains { $0.name.hasSuffix("running_mean") })
        #expect(folded.parameters.count < network.parameters.count)
        #expect(Self.close(folded.logits(images), network.logits(images)))
        let targets = [0, 1, 2, 0, 1]
        for method in [AttributionMethod.saliency, .guidedBackprop, .integratedGradients, .gradcam, .occlusion] {
            let before = try method.attribute(&network, inputs: images, targets: targets)
            let after = try method.attribute(&folded, inputs: images, targets: targets)
            #expect(before.maps.scalars.contains { $0 != 0 }, "\(method) draws something")
            #expect(Self.close(after.maps, before.maps), "\(method)")
        }
        var settings = InspectionSettings()
        settings.topImages = 3
        for layer in ["relu1", "res1.relu", "res2.relu"] {
            let before = try LayerUnits(network: network, layer: layer, images: images, settings: settings)
            let after = try LayerUnits(network: folded, layer: layer, images: images, settings: settings)
            #expect(after.units.map { $0.top.map(\.imageIndex) } == before.units.map { $0.top.map(\.imageIndex) }, "\(layer)")
            let values = { (units: LayerUnits) in Tensor(shape: [units.units.count * 3], scalars: units.units.flatMap { $0.top.map(\.value) }) }
            #expect(Self.close(values(after), values(before)), "\(layer)")
        }
        // The first convolution's filters (its templates) are each the unfolded one times γ/σ: the same picture, the
        // second one negated (γ < 0).
        let (original, scaled) = (try Templates(of: network), try Templates(of: folded))
        #expect(original.images.shape == scaled.images.shape)
        for filter in 0..<6 {
            let (a, b) = (original.template(filter), scaled.template(filter))
            let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
            #expect(abs(abs(dot / norms) - 1) < 1e-4)
            #expect((dot < 0) == (filter == 1))
        }
    }
}
