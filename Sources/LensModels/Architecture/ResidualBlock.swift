extension Architecture {
    /// torchvision's BasicBlock as graph layers, reading layer `input` of shape [inChannels, H, W]:
    ///
    ///     conv1 (k×k, stride, no bias) → bn1 → relu1 → conv2 (k×k, no bias) → bn2 ─┐
    ///     input ─────────── identity, or downsample.0 (1×1, stride) → downsample.1 ─ add → relu
    ///
    /// The skip is the identity when the block keeps the channels and the size, else a 1×1
    /// projection with batch normalisation. Named `res<number>.conv1`, ... (PyTorch's module paths
    /// for an attribute `res<number>` holding a BasicBlock); every layer names its inputs.
    static func residualBlock(number: Int, input: String, inChannels: Int, channels: Int,
                              kernel: Int, stride: Int) -> [LayerSpec] {
        let prefix = "res\(number)."
        func layer(_ name: String, _ operation: LayerSpec.Operation, _ inputs: String...) -> LayerSpec {
            LayerSpec(name: prefix + name, operation: operation, inputs: inputs)
        }
        func convolution(_ from: Int, _ kernel: Int, stride: Int) -> LayerSpec.Operation {
            .convolution(Convolution(inChannels: from, outChannels: channels,
                                     window: .square(kernel: kernel, stride: stride, padding: kernel / 2), hasBias: false))
        }
        let norm = LayerSpec.Operation.batchNorm(channels: channels, epsilon: 1e-5)
        var layers = [
            layer("conv1", convolution(inChannels, kernel, stride: stride), input),
            layer("bn1", norm, prefix + "conv1"),
            layer("relu1", .relu, prefix + "bn1"),
            layer("conv2", convolution(channels, kernel, stride: 1), prefix + "relu1"),
            layer("bn2", norm, prefix + "conv2"),
        ]
        var skip = input
        if stride != 1 || inChannels != channels {
            layers += [layer("downsample.0", convolution(inChannels, 1, stride: stride), input),
                       layer("downsample.1", norm, prefix + "downsample.0")]
            skip = prefix + "downsample.1"
        }
        return layers + [layer("add", .add, prefix + "bn2", skip), layer("relu", .relu, prefix + "add")]
    }
}
