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
