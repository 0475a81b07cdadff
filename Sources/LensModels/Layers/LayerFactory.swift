import LensTensor

/// The layer that computes `spec`'s operation on inputs whose first has item shape `inputShape`.
func makeLayer(_ spec: LayerSpec, inputShape: [Int], operandShapes: [[Int]], outputShape: [Int],
               initialization: WeightInitialization, generator: inout SeededGenerator) -> any Layer {
    switch spec.operation {
    case let .linear(inFeatures, outFeatures):
        return LinearLayer(spec: spec, inFeatures: inFeatures, outFeatures: outFeatures,
                           initialization: initialization, generator: &generator)
    case let .conv2d(inChannels, outChannels, kernel, stride, padding):
        let convolution = Convolution(inChannels: inChannels, outChannels: outChannels,
                                      window: .square(kernel: kernel, stride: stride, padding: padding))
        return Conv2DLayer(spec: spec, inputShape: inputShape, convolution: convolution,
                           initialization: initialization, generator: &generator)
    case let .convolution(convolution):
        return Conv2DLayer(spec: spec, inputShape: inputShape, convolution: convolution,
                           initialization: initialization, generator: &generator)
    case .relu:
        return ReLULayer(spec: spec)
    case let .maxPool2d(kernel, stride):
        return MaxPool2DLayer(spec: spec, inputShape: inputShape, kernel: kernel, stride: stride)
    case .flatten:
        return FlattenLayer(spec: spec)
    case let .dropout(probability):
        return DropoutLayer(spec: spec, probability: probability, seed: generator.next())
    case let .batchNorm(channels, epsilon):
        return BatchNormLayer(spec: spec, channels: channels, epsilon: epsilon)
    case .add:
        return BroadcastLayer(spec: spec, kind: .add, left: operandShapes[0], right: operandShapes[1], output: outputShape)
    case .multiply:
        return BroadcastLayer(spec: spec, kind: .multiply, left: operandShapes[0], right: operandShapes[1], output: outputShape)
    case .matMul:
        return MatMulLayer(spec: spec, left: operandShapes[0], right: operandShapes[1])
    case let .concat(axis):
        return ConcatLayer(spec: spec, axis: axis, operandShapes: operandShapes, outputShape: outputShape)
    case let .maxPool(pooling):
        return PoolLayer(spec: spec, kind: .max, pooling: pooling, inputShape: inputShape, outputShape: outputShape)
    case let .averagePool(pooling):
        return PoolLayer(spec: spec, kind: .average, pooling: pooling, inputShape: inputShape, outputShape: outputShape)
    case .globalAveragePool:
        return GlobalAveragePoolLayer(spec: spec)
    case let .clip(low, high):
        return ClipLayer(spec: spec, low: low, high: high)
    case .sigmoid:
        return SigmoidLayer(spec: spec)
    case let .hardSigmoid(alpha, beta):
        return HardSigmoidLayer(spec: spec, alpha: alpha, beta: beta)
    case .hardSwish:
        return HardSwishLayer(spec: spec)
    case let .reshape(shape):
        return ReshapeLayer(spec: spec, itemShape: shape)
    case .identity:
        return IdentityLayer(spec: spec)
    case let .pad(top, left, bottom, right, value):
        return PadLayer(spec: spec, inputShape: inputShape, top: top, left: left, bottom: bottom, right: right, value: value)
    case let .constant(shape, values):
        return ConstantLayer(spec: spec, itemShape: shape, values: values)
    }
}
