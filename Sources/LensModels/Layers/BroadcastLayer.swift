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

    @inline(__always)
    private static func at(_ map: [Int32]?, _ p: Int) -> Int { map.map { Int($0[p]) } ?? p }

    mutating func forward(inputs: [Tensor], into output: inout Tensor, training: Bool) {
        let (x, y) = (inputs[0], inputs[1]), batch = x.shape[0], size = outputShape.reduce(1, *)
        output.prepare(shape: [batch] + outputShape)
        for n in 0..<batch {
            let (zBase, xBase, yBase) = (n * size, n * leftSize, n * rightSize)
            for p in 0..<size {
                let a = x.scalars[xBase + Self.at(leftMap, p)], b = y.scalars[yBase + Self.at(rightMap, p)]
                output.scalars[zBase + p] = kind == .add ? a + b : a * b
            }
        }
    }

    mutating func backward(inputs: [Tensor], output: Tensor, outputGradient: Tensor,
                           into inputGradients: inout [Tensor], context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let (x, y) = (inputs[0], inputs[1]), batch = x.shape[0], size = outputShape.reduce(1, *)
        inputGradients[0].prepare(shape: x.shape)
        inputGradients[1].prepare(shape: y.shape)
        inputGradients[0].scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        inputGradients[1].scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for n in 0..<batch {
            let (zBase, xBase, yBase) = (n * size, n * leftSize, n * rightSize)
            for p in 0..<size {
                let (i, j) = (xBase + Self.at(leftMap, p), yBase + Self.at(rightMap, p))
                let dz = outputGradient.scalars[zBase + p]
                switch kind {
                case .add:
                    inputGradients[0].scalars[i] += dz
                    inputGradients[1].scalars[j] += dz
                case .multiply:
                    inputGradients[0].scalars[i] += dz * y.scalars[j]
                    inputGradients[1].scalars[j] += dz * x.scalars[i]
                }
            }
        }
    }
}
