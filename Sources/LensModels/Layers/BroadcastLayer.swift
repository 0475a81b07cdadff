import LensTensor

/// z = x + y or z = x·y with NumPy broadcasting of the item shapes (the batch axis is shared):
/// residual additions and squeeze-and-excitation scaling. Each output position p of an item reads
/// x at left[p] and y at right[p] (index maps worked out once). Backward sums over the broadcast
/// positions: dx[left[p]] += dz[p]·(1 or y[right[p]]), dy[right[p]] += dz[p]·(1 or x[left[p]]).
struct BroadcastLayer: MultiInputLayer {
    enum Kind { case add, multiply }

    let spec: LayerSpec
    let kind: Kind
    let outputShape: [Int]
    let leftSize: Int
    let rightSize: Int
    /// Nil where the operand has the output's shape (its index map is the identity).
    let leftMap: [Int32]?
    let rightMap: [Int32]?

    init(spec: LayerSpec, kind: Kind, left: [Int], right: [Int], output: [Int]) {
        self.spec = spec
        self.kind = kind
        outputShape = output
        leftSize = left.reduce(1, *)
        rightSize = right.reduce(1, *)
        leftMap = left == output ? nil : Self.indexMap(operand: left, output: output)
        rightMap = right == output ? nil : Self.indexMap(operand: right, output: output)
    }

    /// For each output position, the position it reads in an operand broadcast to `output`.
    private static func indexMap(operand: [Int], output: [Int]) -> [Int32] {
        let shape = Array(repeating: 1, count: output.count - operand.count) + operand
        var strides = Array(repeating: 0, count: shape.count), stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = shape[axis] == 1 ? 0 : stride
            stride *= shape[axis]
        }
        let total = output.reduce(1, *)
        var map = [Int32](repeating: 0, count: total)
        var index = Array(repeating: 0, count: output.count)
        for position in 0..<total {
            map[position] = Int32(zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 })
            var axis = output.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < output[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return map
    }

    mutating func forward(inputs: [Tensor], into output: inout Tensor, training: Bool) {
        let (x, y) = (inputs[0], inputs[1]), batch = x.shape[0], size = outputShape.reduce(1, *)
        if leftMap == nil && rightMap == nil {   // same shapes (residual blocks): one vectorised pass
            switch kind {
            case .add: Elementwise.add(x, y, into: &output, shape: [batch] + outputShape)
            case .multiply: Elementwise.multiply(x, y, into: &output, shape: [batch] + outputShape)
            }
            return
        }
        let (leftSize, rightSize, kind) = (leftSize, rightSize, kind)
        output.prepare(shape: [batch] + outputShape)
        x.scalars.withUnsafeBufferPointer { x in
            y.scalars.withUnsafeBufferPointer { y in
                output.scalars.withUnsafeMutableBufferPointer { z in
                    Self.withMaps(leftMap, rightMap) { left, right in
                        for n in 0..<batch {
                            let (zBase, xBase, yBase) = (n &* size, n &* leftSize, n &* rightSize)
                            for p in 0..<size {
                                let a = x[xBase &+ (left.map { Int($0[p]) } ?? p)], b = y[yBase &+ (right.map { Int($0[p]) } ?? p)]
                                z[zBase &+ p] = kind == .add ? a + b : a * b
                            }
                        }
                    }
                }
            }
        }
    }

    var passesOutputGradient: Bool { kind == .add && leftMap == nil && rightMap == nil }

    /// A residual Add and the ReLU after it in one pass; other kinds and broadcasts have no such path.
    mutating func forwardThroughClamp(inputs: [Tensor], into output: inout Tensor, clamp: ClosedRange<Float>) -> Bool {
        guard passesOutputGradient, inputs.count == 2 else { return false }
        Elementwise.addClamp(inputs[0], inputs[1], into: &output, shape: [inputs[0].shape[0]] + outputShape, clamp: clamp)
        return true
    }

    /// The index maps as buffers (nil: the identity).
    private static func withMaps(_ left: [Int32]?, _ right: [Int32]?,
                                 _ body: (UnsafeBufferPointer<Int32>?, UnsafeBufferPointer<Int32>?) -> Void) {
        func with(_ map: [Int32]?, _ body: (UnsafeBufferPointer<Int32>?) -> Void) {
            if let map { map.withUnsafeBufferPointer { body($0) } } else { body(nil) }
        }
        with(left) { l in with(right) { r in body(l, r) } }
    }

    mutating func backward(inputs: [Tensor], output: Tensor, outputGradient: Tensor,
                           into inputGradients: inout [Tensor], context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let (x, y) = (inputs[0], inputs[1]), batch = x.shape[0], size = outputShape.reduce(1, *)
        let (leftSize, rightSize, kind) = (leftSize, rightSize, kind)
        var (dx, dy) = (inputGradients[0], inputGradients[1])
        inputGradients = [.empty, .empty]
        if leftMap == nil && rightMap == nil {   // same shapes: dx = dz·(1 or y), dy = dz·(1 or x)
            switch kind {
            case .add:
                Elementwise.copy(outputGradient, into: &dx, shape: x.shape)
                Elementwise.copy(outputGradient, into: &dy, shape: y.shape)
            case .multiply:
                Elementwise.multiply(outputGradient, y, into: &dx, shape: x.shape)
                Elementwise.multiply(outputGradient, x, into: &dy, shape: y.shape)
            }
            inputGradients = [dx, dy]
            return
        }
        dx.prepare(shape: x.shape)
        dy.prepare(shape: y.shape)
        x.scalars.withUnsafeBufferPointer { x in
            y.scalars.withUnsafeBufferPointer { y in
                outputGradient.scalars.withUnsafeBufferPointer { dz in
                    dx.scalars.withUnsafeMutableBufferPointer { dx in
                        dy.scalars.withUnsafeMutableBufferPointer { dy in
                            dx.update(repeating: 0)
                            dy.update(repeating: 0)
                            Self.withMaps(leftMap, rightMap) { left, right in
                                for n in 0..<batch {
                                    let (zBase, xBase, yBase) = (n &* size, n &* leftSize, n &* rightSize)
                                    for p in 0..<size {
                                        let i = xBase &+ (left.map { Int($0[p]) } ?? p), j = yBase &+ (right.map { Int($0[p]) } ?? p)
                                        let g = dz[zBase &+ p]
                                        switch kind {
                                        case .add:
                                            dx[i] += g
                                            dy[j] += g
                                        case .multiply:
                                            dx[i] += g * y[j]
                                            dy[j] += g * x[i]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        inputGradients = [dx, dy]
    }
}
