/// Output shapes of the graph operations (one item, no batch axis).
extension LayerSpec.Operation {
    /// How many inputs the operation reads; nil: any number (concat).
    var arity: Int? {
        switch self {
        case .add, .multiply, .matMul: 2
        case .concat: nil
        case .constant: 0
        default: 1
        }
    }

    func graphOutputShape(for inputs: [[Int]]) throws -> [Int] {
        switch self {
        case let .convolution(convolution):
            let input = inputs[0]
            let (c, g) = (convolution.inChannels, convolution.groups)
            guard c > 0, convolution.outChannels > 0, g > 0, c % g == 0, convolution.outChannels % g == 0,
                  convolution.window.isValid else {
                throw ShapeProblem("conv needs positive sizes and channels divisible by the \(g) group(s) "
                                   + "(in \(c), out \(convolution.outChannels), \(convolution.window.summary))")
            }
            guard input.count == 3 else { throw ShapeProblem("conv needs an image input [channels, height, width], got \(input)") }
            guard input[0] == c else { throw ShapeProblem("conv expects \(c) input channels, its input has \(input[0])") }
            return [convolution.outChannels] + (try spatialOutput(input, convolution.window, "conv"))
        case let .maxPool(pooling), let .averagePool(pooling):
            let input = inputs[0]
            guard pooling.window.isValid else { throw ShapeProblem("pooling needs a positive kernel and stride (\(pooling.window.summary))") }
            guard input.count == 3 else { throw ShapeProblem("pooling needs an image input [channels, height, width], got \(input)") }
            return [input[0]] + (try spatialOutput(input, pooling.window, "pooling"))
        case .globalAveragePool:
            guard inputs[0].count == 3 else { throw ShapeProblem("global pooling needs an image input, got \(inputs[0])") }
            return [inputs[0][0], 1, 1]
        case let .batchNorm(channels, _):
            guard inputs[0].first == channels else {
                throw ShapeProblem("batch normalisation over \(channels) channels cannot take \(inputs[0])")
            }
            return inputs[0]
        case .add, .multiply:
            return try Self.broadcast(inputs[0], inputs[1])
        case .matMul:
            let (a, b) = (inputs[0], inputs[1])
            guard a.count >= 2, a.count == b.count, a.dropLast(2) == b.dropLast(2), a[a.count - 1] == b[b.count - 2] else {
                throw ShapeProblem("a matrix product needs [..., m, k] and [..., k, n] with the same leading axes, got \(a) and \(b)")
            }
            return a.dropLast() + [b[b.count - 1]]
        case let .concat(axis):
            guard let first = inputs.first, axis >= 0, axis < first.count else {
                throw ShapeProblem("concat axis \(axis + 1) is outside the inputs' axes")
            }
            var total = 0
            for shape in inputs {
                guard shape.count == first.count,
                      shape.indices.allSatisfy({ $0 == axis || shape[$0] == first[$0] }) else {
                    throw ShapeProblem("concat inputs \(inputs) differ outside axis \(axis + 1)")
                }
                total += shape[axis]
            }
            var shape = first
            shape[axis] = total
            return shape
        case let .clip(low, high):
            guard low <= high else { throw ShapeProblem("clip needs min <= max, got \(low) > \(high)") }
            return inputs[0]
        case .sigmoid, .hardSigmoid, .hardSwish, .identity:
            return inputs[0]
        case let .reshape(shape):
            guard shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == inputs[0].reduce(1, *) else {
                throw ShapeProblem("cannot reshape \(inputs[0]) to \(shape)")
            }
            return shape
        case let .pad(top, left, bottom, right, _):
            let input = inputs[0]
            guard input.count == 3, [top, left, bottom, right].allSatisfy({ $0 >= 0 }) else {
                throw ShapeProblem("pad takes an image input and pads >= 0 on its two spatial axes, got \(input)")
            }
            return [input[0], input[1] + top + bottom, input[2] + left + right]
        case let .constant(shape, values):
            guard shape.reduce(1, *) == values.count else {
                throw ShapeProblem("constant of shape \(shape) holds \(values.count) values")
            }
            return shape
        case .linear, .conv2d, .relu, .maxPool2d, .flatten, .dropout:
            return try outputShape(for: inputs[0])
        }
    }

    private func spatialOutput(_ input: [Int], _ window: Window, _ what: String) throws -> [Int] {
        guard let height = window.outputHeight(input[1]), let width = window.outputWidth(input[2]) else {
            throw ShapeProblem("the \(what) window (\(window.summary)) does not fit the \(input[1])x\(input[2]) input")
        }
        return [height, width]
    }

    /// NumPy broadcasting of two item shapes, aligned on their last axes.
    static func broadcast(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        let left = Array(repeating: 1, count: rank - a.count) + a
        let right = Array(repeating: 1, count: rank - b.count) + b
        return try zip(left, right).map { x, y in
            guard x == y || x == 1 || y == 1 else { throw ShapeProblem("shapes \(a) and \(b) do not broadcast") }
            return max(x, y)
        }
    }
}
