import LensTensor

/// A first layer that is affine in the network input, y = Wx + b, and alone reads it (a convolution
/// or a linear layer). Along a straight path x(α) = x₀ + α(x − x₀) its output is then
/// y(α) = y₀ + α(y₁ − y₀), and the input gradient is ∂F/∂x = Wᵀ ∂F/∂y, so a weighted sum of input
/// gradients along the path, Σₖ wₖ ∂F/∂x(αₖ) = Wᵀ Σₖ wₖ ∂F/∂y(αₖ), needs that layer forward at the two
/// ends and backward once, not both at every step: integrated gradients uses this (ResNet's 7×7 stem
/// and its gradient are a tenth of a pass).
extension Network {
    /// Whether the first layer is a convolution or a linear layer that alone reads the input, with
    /// layers above it.
    public var firstLayerIsAffine: Bool {
        guard layers.count >= 2, sources[0] == [-1], inputReaders == 1 else { return false }
        switch architecture.layers[0].operation {
        case .conv2d, .convolution, .linear: return true
        default: return false
        }
    }

    /// The item shape of the first layer's output.
    public var firstLayerOutputShape: [Int] { architecture.layerOutputShapes[0] }

    /// y = Wx + b for `input` (items of the input shape): a tensor of its own, [items] + `firstLayerOutputShape`.
    public mutating func firstLayerOutput(_ input: Tensor) throws -> Tensor {
        try checkInput(input)
        var output = Tensor.empty
        guard input.shape[0] > 0 else { return Tensor(shape: [0] + firstLayerOutputShape) }
        layers[0].forward(reshapedToItems(input), into: &output, training: false)
        return output
    }

    /// ∂ logit[targetᵢ] / ∂ yᵢ, the gradient at the first layer's output, for the first layer's outputs
    /// `firstOutput` ([items] + `firstLayerOutputShape`): the layers above it forward and backward, as
    /// `targetGradients` runs them (the true gradient at every ReLU; parameter gradients left alone).
    public mutating func targetGradientsAboveFirstLayer(_ firstOutput: Tensor, targets: [Int],
                                                        against: [Int]? = nil) throws -> Tensor {
        let shape = firstLayerOutputShape
        guard firstLayerIsAffine, firstOutput.rank >= 1, firstOutput.count == firstOutput.shape[0] * shape.reduce(1, *) else {
            throw NetworkError.inputShapeMismatch(expectedItemShape: shape, foundShape: firstOutput.shape)
        }
        try checkTargets(targets, for: firstOutput)
        if let against { try checkTargets(against, for: firstOutput) }
        let items = firstOutput.shape[0]
        guard items > 0 else { return Tensor(shape: [0] + shape) }
        let y = firstOutput.reshaped([items] + shape)
        // What a forward of the whole network would have left: the layers above read y as layer 0's output.
        lastInputShape = [items] + architecture.inputShape
        lastInput = .empty
        var unused: [String: Tensor] = [:]
        outputs[0] = .empty
        _ = run(y, layers: 1..<layers.count, training: false, fusingReLU: true, capturing: [], into: &unused)
        outputs[0] = y
        let first = architecture.layers[0].name
        let (_, gradients) = try backward(outputGradient: targetSelector(targets, against: against), capturingGradientsAt: [first],
                                          parameterGradients: .skip, stoppingAt: first)
        return gradients[first] ?? Tensor(shape: [items] + shape)
    }

    /// Wᵀ g: the gradient at the input (shaped like `input`) for the gradient `outputGradient` at the first
    /// layer's output. `input` gives the shape; the gradient of an affine layer does not depend on it.
    public mutating func firstLayerInputGradient(_ outputGradient: Tensor, input: Tensor) throws -> Tensor {
        try checkInput(input)
        let items = input.shape[0], shape = firstLayerOutputShape
        guard firstLayerIsAffine, outputGradient.count == items * shape.reduce(1, *) else {
            throw NetworkError.inputShapeMismatch(expectedItemShape: shape, foundShape: outputGradient.shape)
        }
        guard items > 0 else { return Tensor(shape: input.shape) }
        let x = reshapedToItems(input)
        var gradient = Tensor.empty
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        layers[0].backward(input: x, output: outputGradient.reshaped([items] + shape),
                           outputGradient: outputGradient.reshaped([items] + shape), into: &gradient, context: context)
        return gradient.reshaped(input.shape)
    }
}
