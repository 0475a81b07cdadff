import Testing
@testable import LensModels
import LensTensor

extension Conv2DLayer {
    /// A convolution layer for the kernel suites: He-initialised weights from `seed` and a bias that is
    /// not zero, so that the kernels' reading of it is checked too.
    static func testLayer(_ convolution: Convolution, height: Int, width: Int, name: String = "conv", seed: UInt64) -> Conv2DLayer {
        var generator = SeededGenerator(seed: seed)
        var layer = Conv2DLayer(spec: LayerSpec(name: name, operation: .convolution(convolution)),
                                inputShape: [convolution.inChannels, height, width], convolution: convolution,
                                initialization: .he, generator: &generator)
        layer.updateParameters { parameter in
            if parameter.suffix == "bias" { parameter.value = randomTensor(parameter.value.shape, seed: 9) }
        }
        return layer
    }
}

/// `fast`'s forward (into a buffer of NaN, so every output must be written) and its forwards through a
/// fused ReLU and a ReLU6-like clamp against `plain`'s forward (clamped), within the suites' tolerance.
func expectForwardMatches(_ fast: inout Conv2DLayer, _ plain: inout Conv2DLayer, input: Tensor, _ what: String) {
    var expected = Tensor.empty
    plain.forward(input, into: &expected, training: false)
    var actual = Tensor(shape: expected.shape, scalars: Array(repeating: .nan, count: expected.count))
    fast.forward(input, into: &actual, training: true)
    #expect(actual.shape == expected.shape, "\(what)")
    expectScalarsClose(actual.scalars, expected.scalars, what)
    for clamp: ClosedRange<Float> in [.relu, 0...0.5] {
        var clamped = Tensor.empty
        #expect(fast.forwardThroughClamp(input, into: &clamped, clamp: clamp), "\(what)")
        expectScalarsClose(clamped.scalars, expected.scalars.map { min(max($0, clamp.lowerBound), clamp.upperBound) }, "\(what) \(clamp)")
    }
}
