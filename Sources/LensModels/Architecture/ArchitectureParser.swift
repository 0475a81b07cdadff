import Foundation

extension Architecture {
    /// The compact form users type, e.g. `"conv3x3x16,pool,conv3x3x32,pool,fc128"`.
    ///
    /// Items, separated by commas (case and spaces ignored):
    /// - `conv<k>x<k>x<channels>[s<stride>][p<padding>]`: a k x k convolution followed by a ReLU;
    ///   stride 1 and "same" padding k/2 unless given (`conv5x5x32s2p0`).
    /// - `pool[<k>][s<stride>]`: max pooling, 2x2 unless given, stride equal to the window unless given.
    /// - `fc<units>`: a linear layer followed by a ReLU.
    /// - `dropout<p>` or `drop<p>`: dropout with probability p in [0, 1).
    /// - `bn`: batch normalisation of the item before it, between its conv or fc and its ReLU
    ///   (conv → BN → ReLU, as in ResNets); after any other item, of that item's output.
    /// - `res<k>x<k>x<channels>[s<stride>]`: a residual block as torchvision's BasicBlock (see
    ///   `residualBlock`), its layers named `res1.conv1`, `res1.bn1`, ... as PyTorch's modules would be.
    /// - `gap`: global average pooling, each channel to its mean.
    /// A flatten goes before the first `fc` and a final linear layer to `classes` scores is appended.
    /// Layers get their conventional names (conv1, relu1, pool1, ..., flatten, fc1, ...).
    public static func parse(_ compact: String, inputShape: [Int], classes: Int) throws -> Architecture {
        guard classes >= 2 else { throw ArchitectureError.invalidClassCount(classes) }
        // Fail on the input shape before blaming any item.
        _ = try Architecture(inputShape: inputShape, layers: [.flatten(), .linear(in: inputShape.reduce(1, *), out: classes)])

        var builder = CompactBuilder(shape: inputShape)
        let tokens = compact.split(separator: ",", omittingEmptySubsequences: false)
        for (position, rawToken) in tokens.enumerated() {
            let token = rawToken.trimmingCharacters(in: .whitespaces).lowercased()
            guard !token.isEmpty else {
                throw ArchitectureError.invalidToken(token: token, position: position, problem: "empty item (two commas in a row?)")
            }
            do {
                if token == "bn" {
                    try builder.appendBatchNorm()
                } else if let match = token.wholeMatch(of: #/res(\d+)x(\d+)x(\d+)(?:s(\d+))?/#) {
                    let kernel = try number(match.1)
                    guard kernel == (try number(match.2)), kernel % 2 == 1 else {
                        throw TokenProblem("a residual block needs a square kernel of odd size (write res3x3x...)")
                    }
                    try builder.appendResidualBlock(kernel: kernel, channels: try number(match.3), stride: try match.4.map(number) ?? 1)
                } else {
                    for operation in try operations(for: token, channels: builder.shape.first ?? 0) {
                        try builder.append(operation)
                    }
                }
            } catch let problem as ShapeProblem {
                throw ArchitectureError.invalidToken(token: token, position: position,
                                                     problem: "does not fit its input of shape \(builder.shape): \(problem.message)")
            } catch let problem as TokenProblem {
                throw ArchitectureError.invalidToken(token: token, position: position, problem: problem.message)
            }
        }
        do {
            try builder.appendFlattenIfNeeded()
            try builder.append(.linear(inFeatures: builder.shape[0], outFeatures: classes))
        } catch let problem as ShapeProblem {
            throw ArchitectureError.invalidToken(token: "(final linear layer)", position: tokens.count, problem: problem.message)
        }
        return try Architecture(inputShape: inputShape, layers: builder.layers)
    }

    /// The operations one compact item stands for; `channels` is the current channel count.
    private static func operations(for token: String, channels: Int) throws -> [LayerSpec.Operation] {
        if token == "relu" {
            throw TokenProblem("a ReLU follows every conv and fc already; remove this item")
        }
        if token == "flatten" { return [.flatten] }
        if let match = token.wholeMatch(of: #/conv(\d+)x(\d+)x(\d+)(?:s(\d+))?(?:p(\d+))?/#) {
            let kernel = try number(match.1), kernelWidth = try number(match.2)
            guard kernel == kernelWidth else {
                throw TokenProblem("only square kernels are supported (write conv\(kernel)x\(kernel)x...)")
            }
            let stride = try match.4.map(number) ?? 1
            let padding = try match.5.map(number) ?? kernel / 2
            return [.conv2d(inChannels: channels, outChannels: try number(match.3),
                            kernel: kernel, stride: stride, padding: padding), .relu]
        }
        if let match = token.wholeMatch(of: #/pool(\d+)?(?:s(\d+))?/#) {
            let kernel = try match.1.map(number) ?? 2
            return [.maxPool2d(kernel: kernel, stride: try match.2.map(number) ?? kernel)]
        }
        if token == "gap" { return [.globalAveragePool] }
        if let match = token.wholeMatch(of: #/fc(\d+)/#) {
            return [.linear(inFeatures: 0, outFeatures: try number(match.1)), .relu]
        }
        if let match = token.wholeMatch(of: #/(?:dropout|drop)(\d*\.?\d+)/#) {
            guard let probability = Float(match.1) else { throw TokenProblem("\(match.1) is not a probability") }
            return [.dropout(probability: probability)]
        }
        throw TokenProblem("not understood; expected conv<k>x<k>x<channels>[s<stride>][p<padding>], "
                           + "pool[<k>][s<stride>], fc<units>, dropout<p>, bn, res<k>x<k>x<channels>[s<stride>] or gap, "
                           + "e.g. conv3x3x16,bn,pool,fc128")
    }

    private static func number(_ digits: Substring) throws -> Int {
        guard let value = Int(digits) else { throw TokenProblem("\(digits) is too large") }
        return value
    }
}

struct TokenProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Layers built item by item, tracking the shape so each item's input size is known.
private struct CompactBuilder {
    var shape: [Int]
    var layers: [LayerSpec] = []
    private var flattened = false
    private var blocks = 0

    init(shape: [Int]) { self.shape = shape }

    mutating func append(_ operation: LayerSpec.Operation) throws {
        var operation = operation
        if case let .linear(_, outFeatures) = operation {
            try appendFlattenIfNeeded()
            operation = .linear(inFeatures: shape[0], outFeatures: outFeatures)
        }
        if case .flatten = operation { flattened = true }
        shape = try operation.outputShape(for: shape)
        layers.append(LayerSpec(name: "", operation: operation))
    }

    mutating func appendFlattenIfNeeded() throws {
        guard !flattened else { return }
        try append(.flatten)
    }

    /// Batch normalisation of the last item: before the ReLU a conv or fc brought along.
    mutating func appendBatchNorm() throws {
        func normalises(_ spec: LayerSpec?) -> Bool { if case .batchNorm = spec?.operation { true } else { false } }
        if normalises(layers.last) || layers.last?.operation == .relu && normalises(layers.dropLast().last) {
            throw TokenProblem("the item before is batch normalised already")
        }
        let spec = LayerSpec(name: "", operation: .batchNorm(channels: shape.first ?? 0, epsilon: 1e-5))
        let last = layers.count - 1
        if last >= 1, layers[last].operation == .relu, layers[last].name.isEmpty,
           layers[last - 1].operation.hasParameters, layers[last - 1].name.isEmpty {
            layers.insert(spec, at: last)
        } else {
            layers.append(spec)
        }
    }

    mutating func appendResidualBlock(kernel: Int, channels: Int, stride: Int) throws {
        guard shape.count == 3 else { throw TokenProblem("a residual block needs an image input [channels, height, width], not \(shape)") }
        guard channels > 0, stride > 0 else { throw TokenProblem("a residual block needs channels and a stride above 0") }
        let input: String
        if let last = layers.indices.last {
            // The skip reads the layer before the block by name: the one `Architecture` would give it.
            if layers[last].name.isEmpty { layers[last].name = Architecture.conventionalName(ofLayer: last, in: layers) }
            input = layers[last].name
        } else {
            input = Architecture.inputName
        }
        let block = Architecture.residualBlock(number: blocks + 1, input: input, inChannels: shape[0], channels: channels,
                                               kernel: kernel, stride: stride)
        var shapes = [input: shape]
        for spec in block {
            shape = try spec.operation.outputShape(forInputs: spec.inputs.map { shapes[$0] ?? [] })
            shapes[spec.name] = shape
        }
        layers += block
        blocks += 1
    }
}
