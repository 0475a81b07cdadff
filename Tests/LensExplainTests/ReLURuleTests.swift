import LensExplain
import LensModels
import LensTensor
import Testing

/// On an MLP x → W₁x + b₁ → ReLU (f) → W₂, the signal reaching the ReLU from logit c is
/// R = W₂[c]. The three maps push back R·[f > 0] (gradient), R·[f > 0]·[R > 0] (guided) and
/// max(R, 0) (deconvnet), so they differ from the gradient exactly at the units where the rules
/// give different values, and each input map is W₁ᵀ times its hidden signal.
@Suite struct ReLURuleTests {
    @Test func mapsDifferExactlyWhereTheReLURulesDiffer() throws {
        var network = try ExplainTestModels.mlp()
        let input = ExplainTestModels.random([1, 20], seed: 21)
        let target = 1
        let parameters = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        let (w1, w2) = (try #require(parameters["fc1.weight"]), try #require(parameters["fc2.weight"]))
        let hidden = try #require(try network.activations(input, at: ["relu1"]).activations["relu1"]).scalars
        let signal = Array(w2.scalars[(target * 12)..<((target + 1) * 12)])

        let rules: [(AttributionMethod, ReLUBackwardMode, (Float, Float) -> Float)] = [
            (.saliency, .gradient, { r, f in f > 0 ? r : 0 }),
            (.guidedBackprop, .guided, { r, f in f > 0 && r > 0 ? r : 0 }),
            (.deconvnet, .deconvnet, { r, _ in max(r, 0) }),
        ]
        var hiddenSignals: [AttributionMethod: [Float]] = [:]
        for (method, mode, rule) in rules {
            let expectedHidden = zip(signal, hidden).map { rule($0, $1) }
            let atFC1 = try #require(try network.targetGradients(input, targets: [target], reluMode: mode, at: ["fc1"]).layerGradients["fc1"])
            #expect(atFC1.scalars == expectedHidden, "\(method) at the ReLU")
            let map = try method.attribute(&network, inputs: input, targets: [target]).maps.scalars
            let expectedMap = (0..<20).map { j in (0..<12).reduce(Float(0)) { $0 + w1.scalars[$1 * 20 + j] * expectedHidden[$1] } }
            #expect(maxDifference(map, expectedMap) < 1e-5, "\(method) at the input")
            hiddenSignals[method] = expectedHidden
        }
        // Where guided differs from the gradient: units on (f > 0) with a negative signal.
        // Where deconvnet differs: units off with a positive signal, or on with a negative one.
        let gradient = try #require(hiddenSignals[.saliency])
        let guided = try #require(hiddenSignals[.guidedBackprop]), deconvnet = try #require(hiddenSignals[.deconvnet])
        let guidedDiffers = Set((0..<12).filter { guided[$0] != gradient[$0] })
        let deconvnetDiffers = Set((0..<12).filter { deconvnet[$0] != gradient[$0] })
        #expect(guidedDiffers == Set((0..<12).filter { hidden[$0] > 0 && signal[$0] < 0 }))
        #expect(deconvnetDiffers == Set((0..<12).filter { (hidden[$0] > 0) != (signal[$0] > 0) && signal[$0] != 0 }))
        #expect(!guidedDiffers.isEmpty && !deconvnetDiffers.isEmpty, "the test MLP must exercise both rules")
    }
}
