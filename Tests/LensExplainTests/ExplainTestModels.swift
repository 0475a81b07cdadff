import LensExplain
import LensModels
import LensTensor

/// Small models and inputs for the attribution tests, all seeded.
enum ExplainTestModels {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1, offset: Float = 0) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() * scale + offset })
    }

    /// Softmax regression on 1x4x4 images, 3 classes, with random weights and biases.
    static func softmaxRegression() throws -> Network {
        var network = Network(architecture: try .softmaxRegression(inputShape: [1, 4, 4], classes: 3), seed: 1)
        let names = network.parameters.map(\.name)
        try network.load(parameters: [names[0]: random([3, 16], seed: 2), names[1]: random([3], seed: 3)])
        return network
    }

    /// The weight row of class `c` of a one-layer network, as [16].
    static func weightRow(_ network: Network, _ c: Int) -> [Float] {
        let weight = network.parameters[0].tensor
        let size = weight.shape[1]
        return Array(weight.scalars[(c * size)..<((c + 1) * size)])
    }

    /// A CNN on 1x12x12 images: conv, relu, pool, conv, relu, pool, fc.
    static func cnn(seed: UInt64 = 5) throws -> Network {
        try withRandomBiases(Network(architecture: try .parse("conv3x3x4,pool,conv3x3x6,pool,fc8", inputShape: [1, 12, 12], classes: 3), seed: seed))
    }

    /// An MLP on 20 features with 12 hidden units.
    static func mlp() throws -> Network {
        try withRandomBiases(Network(architecture: try .mlp(inputShape: [20], hidden: [12], classes: 3), seed: 7))
    }

    /// Random biases: some units are off, and the network is no longer positively homogeneous
    /// (with zero biases F(αx) = αF(x), and integrated gradients from 0 would be exact).
    static func withRandomBiases(_ network: Network) throws -> Network {
        var network = network
        var parameters = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        for (name, tensor) in parameters where name.hasSuffix("bias") { parameters[name] = random(tensor.shape, seed: 8, scale: 0.3) }
        try network.load(parameters: parameters)
        return network
    }

    /// Images in [0, 1).
    static func images(_ count: Int, side: Int = 12, seed: UInt64 = 9) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [count, 1, side, side], scalars: (0..<(count * side * side)).map { _ in generator.nextUniform() })
    }
}

/// Largest |a − b| over two equally long arrays.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
