import LensModels
import LensTensor

/// Seeded standard-normal tensors for tests.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() * scale })
}

/// A network of `layers` on items of `inputShape`, built or failing the test.
func makeNetwork(_ inputShape: [Int], _ layers: [LayerSpec], seed: UInt64 = 0) throws -> Network {
    Network(architecture: try Architecture(inputShape: inputShape, layers: layers), seed: seed)
}

extension Network {
    /// Parameters by name.
    var parameterDictionary: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor) })
    }
}
