@testable import LensModels
import LensTensor
import Testing

/// The global average pool's eight planes at a time against each plane summed alone, bit for bit:
/// whole groups of eight, a short last group, fewer planes than eight, an empty batch.
@Test(arguments: [(3, 5, 7), (1, 16, 49), (2, 3, 1), (1, 1, 9), (0, 4, 4)])
func globalAveragePoolMatchesEachPlaneAlone(batch: Int, channels: Int, plane: Int) {
    var layer = GlobalAveragePoolLayer(spec: LayerSpec(name: "gap", operation: .globalAveragePool))
    let input = randomTensor([batch, channels, plane, 1], seed: 21)
    var output = Tensor.empty
    layer.forward(input, into: &output, training: false)
    #expect(output.shape == [batch, channels, 1, 1])
    let expected = (0..<(batch * channels)).map { p in
        var sum: Float = 0
        for i in 0..<plane { sum += input.scalars[p * plane + i] }
        return sum / Float(plane)
    }
    #expect(output.scalars == expected)
}
