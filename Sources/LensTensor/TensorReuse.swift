/// Buffers reused from one batch to the next, so that a training loop allocates nothing per batch.
extension Tensor {
    /// An empty tensor of shape [0]: a placeholder for a buffer not yet sized.
    public static let empty = Tensor(shape: [0], scalars: [])

    /// Gives this tensor `newShape`, keeping its storage when it is large enough (the usual case
    /// from one batch to the next). The scalars are then unspecified: the caller overwrites
    /// every one.
    /// Storage shared with another tensor is copied on the first write, as with any `Array`.
    public mutating func prepare(shape newShape: [Int]) {
        let count = newShape.reduce(1, *)
        // Shrinking keeps the capacity, so the short last batch of an epoch and the full batches
        // after it reuse one allocation.
        if scalars.count > count {
            scalars.removeLast(scalars.count - count)
        } else if scalars.count < count {
            scalars.append(contentsOf: repeatElement(0, count: count - scalars.count))
        }
        if shape != newShape { shape = newShape }
    }

    /// Copies the items at `indices` along the first axis into `destination` (resized to hold
    /// them), reusing its storage: the training loop's batch gather.
    public func gather(_ indices: [Int], into destination: inout Tensor) {
        let itemSize = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = indices.count
        destination.prepare(shape: newShape)
        let items = shape[0]
        scalars.withUnsafeBufferPointer { source in
            destination.scalars.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < items, "index \(index) out of range 0..<\(items)")
                    (to + row * itemSize).update(from: from + index * itemSize, count: itemSize)
                }
            }
        }
    }
}

extension Tensor {
    /// Whether every scalar is finite (no NaN, no infinity): x·0 is 0 for finite x and NaN
    /// otherwise, so one vectorised sum answers it (a training loop checks its weights every epoch).
    public var allFinite: Bool {
        scalars.withUnsafeBufferPointer { buffer in
            var lanes = SIMD16<Float>()
            var i = 0
            let count = buffer.count
            while i + 16 <= count {
                lanes += UnsafeRawPointer(buffer.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self) * 0
                i += 16
            }
            var rest: Float = 0
            while i < count { rest += buffer[i] * 0; i += 1 }
            return (lanes.sum() + rest) == 0
        }
    }
}
