import LensTensor

/// How a layer's weights start.
///
/// `.he` (for layers whose output goes into a ReLU, possibly through max pooling or dropout):
/// weight ~ N(0, 2 / fanIn), bias 0 — He et al. 2015, keeps the activation scale through ReLUs.
/// `.pytorchDefault` (every other layer, e.g. the final classifier): PyTorch's nn.Linear / nn.Conv2d
/// reset_parameters, weight and bias ~ U(-1/√fanIn, 1/√fanIn).
/// fanIn is `in` for linear layers and `in·k·k` for convolutions.
/// `.zeros`: for a network whose every parameter `Network.load(parameters:)` sets next (an import):
/// no random draws, which for ResNet-18's 11.7M weights were a third of opening its ONNX file.
enum WeightInitialization {
    case he
    case pytorchDefault
    case zeros

    func weights(count: Int, fanIn: Int, using generator: inout SeededGenerator) -> [Float] {
        switch self {
        case .he:
            let scale = (2 / Float(fanIn)).squareRoot()
            return (0..<count).map { _ in generator.nextNormal() * scale }
        case .pytorchDefault:
            return uniform(count: count, bound: 1 / Float(fanIn).squareRoot(), using: &generator)
        case .zeros:
            return [Float](repeating: 0, count: count)
        }
    }

    func biases(count: Int, fanIn: Int, using generator: inout SeededGenerator) -> [Float] {
        switch self {
        case .he, .zeros:
            return [Float](repeating: 0, count: count)
        case .pytorchDefault:
            return uniform(count: count, bound: 1 / Float(fanIn).squareRoot(), using: &generator)
        }
    }

    /// A layer's weight (of `weightShape`, fan-in its items after the first axis) and bias parameters.
    func weightAndBias(weightShape: [Int], using generator: inout SeededGenerator) -> (weight: Parameter, bias: Parameter) {
        let outputs = weightShape[0], fanIn = weightShape.dropFirst().reduce(1, *)
        let weight = Tensor(shape: weightShape, scalars: weights(count: outputs * fanIn, fanIn: fanIn, using: &generator))
        let bias = Tensor(shape: [outputs], scalars: biases(count: outputs, fanIn: fanIn, using: &generator))
        return (Parameter(suffix: "weight", value: weight), Parameter(suffix: "bias", value: bias))
    }

    private func uniform(count: Int, bound: Float, using generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in (generator.nextUniform() * 2 - 1) * bound }
    }
}
