/// A dense float32 array with a shape, stored contiguously in row-major (NCHW) order.
///
/// A value type: copies share storage until one of them is written (copy-on-write through `Array`).
public struct Tensor: Sendable, Equatable {
    public internal(set) var shape: [Int]
    public var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The same scalars seen with another shape of the same size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Items `range` along the first axis (a batch slice).
    public func slice(_ range: Range<Int>) -> Tensor {
        let itemSize = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape,
                      scalars: Array(scalars[(range.lowerBound * itemSize)..<(range.upperBound * itemSize)]))
    }

    /// Items at `indices` along the first axis, in that order.
    public func gather(_ indices: [Int]) -> Tensor {
        var result = Tensor.empty
        gather(indices, into: &result)
        return result
    }

    /// Stacks tensors of equal shape along a new first axis.
    public static func stack(_ items: [Tensor]) -> Tensor {
        guard let first = items.first else { return Tensor(shape: [0]) }
        var scalars = [Float]()
        scalars.reserveCapacity(first.count * items.count)
        for item in items {
            precondition(item.shape == first.shape, "stack: shape \(item.shape) differs from \(first.shape)")
            scalars.append(contentsOf: item.scalars)
        }
        return Tensor(shape: [items.count] + first.shape, scalars: scalars)
    }

    /// Index of the largest value of each row of a [rows, columns] tensor (first one on ties).
    public func argmaxRows() -> [Int] {
        precondition(rank == 2, "argmaxRows needs a rank-2 tensor, got shape \(shape)")
        let columns = shape[1]
        return (0..<shape[0]).map { row in
            var best = 0
            for j in 1..<max(columns, 1) where scalars[row * columns + j] > scalars[row * columns + best] { best = j }
            return best
        }
    }
}
