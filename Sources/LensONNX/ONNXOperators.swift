import LensModels
import LensTensor

/// Each supported ONNX operator turned into lens layers (opsets 11 to 21; attributes as ONNX defines them).
extension ONNXGraphBuilder {
    static let supported = ["Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "Dropout",
                            "Flatten", "Gemm", "GlobalAveragePool", "HardSigmoid", "HardSwish", "Identity", "LogSoftmax",
                            "MatMul", "MaxPool", "Mul", "Pad", "Relu", "Reshape", "Sigmoid", "Softmax"]

    /// Converts `node` (named `name`); returns the layer its (first) output is.
    mutating func convert(_ node: Onnx_NodeProto, name: String) throws -> String {
        switch node.opType {
        case "Conv": return try convolution(node, name: name)
        case "BatchNormalization": return try batchNorm(node, name: name)
        case "Relu": return try append(name, .relu, inputs: [layer(node, 0)])
        case "Clip":
            let low = try clipBound(node, 1, attribute: "min") ?? -.infinity
            let high = try clipBound(node, 2, attribute: "max") ?? .infinity
            return try append(name, .clip(low: low, high: high), inputs: [layer(node, 0)])
        case "Sigmoid": return try append(name, .sigmoid, inputs: [layer(node, 0)])
        case "HardSigmoid":
            return try append(name, .hardSigmoid(alpha: node.float("alpha", default: 0.2), beta: node.float("beta", default: 0.5)),
                              inputs: [layer(node, 0)])
        case "HardSwish": return try append(name, .hardSwish, inputs: [layer(node, 0)])
        case "Add", "Mul": return try broadcast(node, name: name)
        case "Concat":
            let inputs = try node.input.indices.map { try layer(node, $0) }
            let rank = shape(of: inputs[0]).count + 1
            var axis = node.int("axis", default: 1)
            if axis < 0 { axis += rank }
            guard axis >= 1, axis < rank else { throw NodeProblem("concat along axis \(axis) (the batch, or outside the rank \(rank)) is not supported") }
            return try append(name, .concat(axis: axis - 1), inputs: inputs)
        case "MaxPool", "AveragePool": return try pooling(node, name: name)
        case "GlobalAveragePool": return try append(name, .globalAveragePool, inputs: [layer(node, 0)])
        case "Gemm": return try gemm(node, name: name)
        case "MatMul": return try matMul(node, name: name)
        case "Flatten":
            let input = try layer(node, 0)
            let rank = shape(of: input).count + 1
            var axis = node.int("axis", default: 1)
            if axis < 0 { axis += rank }
            guard axis == 1 else { throw NodeProblem("flatten at axis \(axis) is not supported (only axis 1: [N, features])") }
            return try append(name, .flatten, inputs: [input])
        case "Reshape": return try reshape(node, name: name)
        case "Identity", "Dropout": return try append(name, .identity, inputs: [layer(node, 0)])
        case "Pad": return try pad(node, name: name)
        default:
            throw NodeProblem("operator \(node.opType) is not supported; lens supports \(Self.supported.joined(separator: ", "))")
        }
    }

    private func clipBound(_ node: Onnx_NodeProto, _ index: Int, attribute: String) throws -> Float? {
        if let value = try constant(node, index) {
            guard let floats = value.floats, floats.count == 1 else { throw NodeProblem("clip's \(attribute) must be one float32 value") }
            return floats[0]
        }
        return node.attribute(attribute)?.f
    }

    /// The window of a Conv or pooling node (ONNX pads: [top, left, bottom, right]; `auto_pad` resolved).
    private func window(_ node: Onnx_NodeProto, kernel: [Int], input: [Int], dilations: [Int]) throws -> Window {
        guard kernel.count == 2, input.count == 3 else {
            throw NodeProblem("only 2-D windows over [N, C, H, W] are supported (kernel \(kernel), input item \(input))")
        }
        let strides = node.ints("strides") ?? [1, 1]
        var pads = node.ints("pads") ?? [0, 0, 0, 0]
        guard strides.count == 2, pads.count == 4, dilations.count == 2 else { throw NodeProblem("strides, pads or dilations have the wrong length") }
        switch node.string("auto_pad") ?? "NOTSET" {
        case "NOTSET", "": break
        case "VALID": pads = [0, 0, 0, 0]
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            for axis in 0..<2 {
                let size = input[axis + 1], out = (size + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + dilations[axis] * (kernel[axis] - 1) + 1 - size)
                let small = total / 2, large = total - small
                (pads[axis], pads[axis + 2]) = mode == "SAME_UPPER" ? (small, large) : (large, small)
            }
        case let mode:
            throw NodeProblem("auto_pad \(mode) is not supported")
        }
        return Window(kernelHeight: kernel[0], kernelWidth: kernel[1], strideY: strides[0], strideX: strides[1],
                      dilationY: dilations[0], dilationX: dilations[1], pads: pads, ceilMode: node.int("ceil_mode", default: 0) == 1)
    }

    private mutating func convolution(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        let weight = try floats(node, 1, what: "the weight")
        guard weight.shape.count == 4 else { throw NodeProblem("only 2-D convolutions are supported (weight shape \(weight.shape))") }
        let bias = try constant(node, 2)
        let groups = node.int("group", default: 1)
        let inputShape = shape(of: input)
        let window = try self.window(node, kernel: node.ints("kernel_shape") ?? Array(weight.shape[2...]), input: inputShape,
                                     dilations: node.ints("dilations") ?? [1, 1])
        let convolution = Convolution(inChannels: inputShape.first ?? 0, outChannels: weight.shape[0], groups: groups,
                                      window: window, hasBias: bias != nil)
        guard convolution.weightShape == weight.shape else {
            throw NodeProblem("weight shape \(weight.shape) does not fit \(inputShape.first ?? 0) input channels in \(groups) group(s) (expected \(convolution.weightShape))")
        }
        try append(name, .convolution(convolution), inputs: [input])
        parameters[name + ".weight"] = Tensor(shape: weight.shape, scalars: weight.floats ?? [])
        if let bias {
            guard let values = bias.floats, values.count == weight.shape[0] else { throw NodeProblem("the bias must hold \(weight.shape[0]) float32 values") }
            parameters[name + ".bias"] = Tensor(shape: [values.count], scalars: values)
        }
        return name
    }

    /// Folded into the convolution before it when that convolution feeds nothing else
    /// (W' = W·γ/σ, b' = (b − μ)·γ/σ + β), a layer of its own otherwise.
    private mutating func batchNorm(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        let epsilon = node.float("epsilon", default: 1e-5)
        let gamma = try floats(node, 1, what: "the scale"), beta = try floats(node, 2, what: "the bias")
        let mean = try floats(node, 3, what: "the mean"), variance = try floats(node, 4, what: "the variance")
        let channels = shape(of: input).first ?? 0
        for (what, value) in [("scale", gamma), ("bias", beta), ("mean", mean), ("variance", variance)] where value.count != channels {
            throw NodeProblem("the \(what) holds \(value.count) values for \(channels) channels")
        }
        let (g, b, m, v) = (gamma.floats ?? [], beta.floats ?? [], mean.floats ?? [], variance.floats ?? [])
        if let index = specs.lastIndex(where: { $0.name == input }), case var .convolution(convolution) = specs[index].operation,
           readers[node.input[0]] == 1, var weight = parameters[input + ".weight"] {
            var bias = parameters[input + ".bias"] ?? Tensor(shape: [channels])
            BatchNormFolding.fold(weight: &weight, bias: &bias, gamma: g, beta: b, mean: m, variance: v, epsilon: epsilon)
            convolution.hasBias = true
            specs[index].operation = .convolution(convolution)
            parameters[input + ".weight"] = weight
            parameters[input + ".bias"] = bias
            return input
        }
        try append(name, .batchNorm(channels: channels, epsilon: epsilon), inputs: [input])
        for (suffix, values) in [("weight", g), ("bias", b), ("running_mean", m), ("running_var", v)] {
            parameters[name + "." + suffix] = Tensor(shape: [channels], scalars: values)
        }
        parameters[name + ".num_batches_tracked"] = Tensor(shape: [])
        return name
    }

    private mutating func broadcast(_ node: Onnx_NodeProto, name: String) throws -> String {
        guard node.input.count == 2 else { throw NodeProblem("\(node.opType) needs two inputs") }
        let computed = node.input.filter { constants[$0] == nil }
        guard let first = computed.first else { throw NodeProblem("both inputs are constants") }
        let rank = shape(of: try layer(node, node.input.firstIndex(of: first) ?? 0)).count + 1
        var operands: [String] = []
        for index in 0..<2 {
            if let value = constants[node.input[index]] {
                operands.append(try constantLayer(name + "/constant\(index + 1)", value, batchedRank: rank))
            } else {
                operands.append(try layer(node, index))
            }
        }
        return try append(name, node.opType == "Add" ? .add : .multiply, inputs: operands)
    }

    private mutating func pooling(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        if node.output.count > 1, (readers[node.output[1]] ?? 0) > 0 { throw NodeProblem("MaxPool's indices output is not supported") }
        guard let kernel = node.ints("kernel_shape") else { throw NodeProblem("kernel_shape is missing") }
        let dilations = node.ints("dilations") ?? [1, 1]
        guard dilations.allSatisfy({ $0 == 1 }) else { throw NodeProblem("dilated pooling is not supported") }
        let pooling = Pooling(window: try window(node, kernel: kernel, input: shape(of: input), dilations: dilations),
                              countIncludePad: node.int("count_include_pad", default: 0) == 1)
        return try append(name, node.opType == "MaxPool" ? .maxPool(pooling) : .averagePool(pooling), inputs: [input])
    }

    /// y = α·A·op(B) + β·C with B (and C) constants: a linear layer W = α·op(B)ᵀ, b = β·C.
    private mutating func gemm(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        guard node.int("transA", default: 0) == 0 else { throw NodeProblem("transA = 1 is not supported") }
        let b = try floats(node, 1, what: "B")
        guard b.shape.count == 2 else { throw NodeProblem("B must be a matrix, not \(b.shape)") }
        let alpha = node.float("alpha", default: 1), beta = node.float("beta", default: 1)
        let transposed = node.int("transB", default: 0) == 1
        let (outFeatures, inFeatures) = transposed ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[0])
        var weight = [Float](repeating: 0, count: outFeatures * inFeatures)
        let values = b.floats ?? []
        for o in 0..<outFeatures {
            for i in 0..<inFeatures { weight[o * inFeatures + i] = alpha * (transposed ? values[o * inFeatures + i] : values[i * outFeatures + o]) }
        }
        var bias = [Float](repeating: 0, count: outFeatures)
        if let c = try constant(node, 2) {
            guard let cValues = c.floats, cValues.count == outFeatures || cValues.count == 1 else {
                throw NodeProblem("C of shape \(c.shape) does not broadcast to [\(outFeatures)]")
            }
            for o in 0..<outFeatures { bias[o] = beta * cValues[cValues.count == 1 ? 0 : o] }
        }
        return try linear(name, input: input, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, bias: bias)
    }

    /// A·B with B a constant [in, out]: a linear layer without bias (a zero one).
    private mutating func matMul(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        let b = try floats(node, 1, what: "B")
        guard b.shape.count == 2 else { throw NodeProblem("B must be a constant matrix, not \(b.shape)") }
        let (inFeatures, outFeatures) = (b.shape[0], b.shape[1]), values = b.floats ?? []
        let weight = (0..<(outFeatures * inFeatures)).map { values[($0 % inFeatures) * outFeatures + $0 / inFeatures] }
        return try linear(name, input: input, inFeatures: inFeatures, outFeatures: outFeatures, weight: weight,
                          bias: Array(repeating: 0, count: outFeatures))
    }

    private mutating func linear(_ name: String, input: String, inFeatures: Int, outFeatures: Int,
                                 weight: [Float], bias: [Float]) throws -> String {
        guard shape(of: input).count == 1 else {
            throw NodeProblem("the input \(shape(of: input)) is not flat [N, features]; flatten it before the matrix product")
        }
        try append(name, .linear(inFeatures: inFeatures, outFeatures: outFeatures), inputs: [input])
        parameters[name + ".weight"] = Tensor(shape: [outFeatures, inFeatures], scalars: weight)
        parameters[name + ".bias"] = Tensor(shape: [outFeatures], scalars: bias)
        return name
    }

    /// A constant target shape whose first entry is the batch (its value, 0 or −1).
    private mutating func reshape(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        guard let target = try constant(node, 1)?.integers else { throw NodeProblem("the shape must be a constant int64 tensor") }
        let inputShape = shape(of: input), size = inputShape.reduce(1, *)
        guard target.count >= 2 else { throw NodeProblem("reshape to \(target) drops the batch axis") }
        var item = Array(target.dropFirst())
        for axis in item.indices where item[axis] == 0 {
            guard axis + 1 < inputShape.count + 1 else { throw NodeProblem("reshape copies an axis the input lacks") }
            item[axis] = inputShape[axis]
        }
        if let free = item.firstIndex(of: -1) {
            let known = item.enumerated().filter { $0.offset != free }.reduce(1) { $0 * $1.element }
            guard known > 0, size % known == 0 else { throw NodeProblem("cannot reshape \(inputShape) to \(target)") }
            item[free] = size / known
        } else if target[0] == -1 {
            guard item.reduce(1, *) == size else { throw NodeProblem("reshape to \(target) changes the items' size") }
        }
        return try append(name, item.count == 1 ? .flatten : .reshape(shape: item), inputs: [input])
    }

    private mutating func pad(_ node: Onnx_NodeProto, name: String) throws -> String {
        let input = try layer(node, 0)
        guard (node.string("mode") ?? "constant") == "constant" else { throw NodeProblem("only constant padding is supported") }
        guard let pads = try constant(node, 1)?.integers ?? node.ints("pads"), pads.count == 8 else {
            throw NodeProblem("pads must be a constant of 8 values for [N, C, H, W]")
        }
        guard pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0, pads.allSatisfy({ $0 >= 0 }) else {
            throw NodeProblem("only padding of the two spatial axes by amounts >= 0 is supported (pads \(pads))")
        }
        let value = try constant(node, 2)?.floats?.first ?? node.attribute("value")?.f ?? 0
        return try append(name, .pad(top: pads[2], left: pads[3], bottom: pads[6], right: pads[7], value: value), inputs: [input])
    }
}
