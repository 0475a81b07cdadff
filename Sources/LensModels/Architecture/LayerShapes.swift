/// Why one layer cannot take the shape it is given (wrapped into `ArchitectureError` with the layer's name).
public struct ShapeProblem: Error, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension LayerSpec.Operation {
    /// The output shape of one item, or the reason this operation cannot take `input`.
    func outputShape(for input: [Int]) throws -> [Int] {
        switch self {
        case let .linear(inFeatures, outFeatures):
            guard inFeatures > 0, outFeatures > 0 else {
                throw ShapeProblem("linear sizes must be positive (in \(inFeatures), out \(outFeatures))")
            }
            guard input.count == 1 else {
                throw ShapeProblem("linear needs a flat input; put a flatten layer before it")
            }
            guard input[0] == inFeatures else {
                throw ShapeProblem("linear expects \(inFeatures) input features, the previous layer gives \(input[0])")
            }
            return [outFeatures]

        case let .conv2d(inChannels, outChannels, kernel, stride, padding):
            guard inChannels > 0, outChannels > 0, kernel > 0, stride > 0, padding >= 0 else {
                throw ShapeProblem("conv2d needs positive channels, kernel and stride and padding >= 0 "
                                   + "(in \(inChannels), out \(outChannels), kernel \(kernel), stride \(stride), padding \(padding))")
            }
            guard input.count == 3 else { throw ShapeProblem("conv2d needs an image input [channels, height, width]") }
            guard input[0] == inChannels else {
                throw ShapeProblem("conv2d expects \(inChannels) input channels, the previous layer gives \(input[0])")
            }
            let margin = try Self.checked(padding.multipliedReportingOverflow(by: 2), "padding \(padding)")
            let height = try Self.slidingCount(try Self.checked(input[1].addingReportingOverflow(margin), "padded height"),
                                               kernel: kernel, stride: stride, what: "padded height")
            let width = try Self.slidingCount(try Self.checked(input[2].addingReportingOverflow(margin), "padded width"),
                                              kernel: kernel, stride: stride, what: "padded width")
            return [outChannels, height, width]

        case let .maxPool2d(kernel, stride):
            guard kernel > 0, stride > 0 else {
                throw ShapeProblem("maxpool2d needs a positive kernel and stride (kernel \(kernel), stride \(stride))")
            }
            guard input.count == 3 else { throw ShapeProblem("maxpool2d needs an image input [channels, height, width]") }
            let height = try Self.slidingCount(input[1], kernel: kernel, stride: stride, what: "height")
            let width = try Self.slidingCount(input[2], kernel: kernel, stride: stride, what: "width")
            return [input[0], height, width]

        case .relu:
            return input

        case .flatten:
            return [try input.reduce(1) { try Self.checked($0.multipliedReportingOverflow(by: $1), "flattened size of \(input)") }]

        case let .dropout(probability):
            guard probability >= 0, probability < 1 else {
                throw ShapeProblem("dropout probability must be in [0, 1), got \(probability)")
            }
            return input

        default:
            return try graphOutputShape(for: [input])
        }
    }

    /// The output shape of one item from the shapes of every input (the first is the only one
    /// for a chain's layers).
    public func outputShape(forInputs inputs: [[Int]]) throws -> [Int] {
        guard inputs.count == arity || arity == nil else {
            throw ShapeProblem("\(opName) takes \(arity ?? 0) input(s), it is given \(inputs.count)")
        }
        if isGraphOnly { return try graphOutputShape(for: inputs) }
        return try outputShape(for: inputs[0])
    }

    /// The result of overflow-reporting arithmetic on sizes (they come from users and files), or a
    /// shape problem where it overflowed.
    static func checked(_ result: (partialValue: Int, overflow: Bool), _ what: String) throws -> Int {
        guard !result.overflow else { throw ShapeProblem("the \(what) is too large to compute") }
        return result.partialValue
    }

    /// Window positions along one axis (PyTorch's floor rule), failing when the window does not fit once.
    private static func slidingCount(_ size: Int, kernel: Int, stride: Int, what: String) throws -> Int {
        guard size >= kernel else {
            throw ShapeProblem("the \(kernel)x\(kernel) window is larger than the \(what) \(size) it slides over")
        }
        return (size - kernel) / stride + 1
    }
}
