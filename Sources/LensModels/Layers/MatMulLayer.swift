import LensTensor

/// C = A·B of two computed tensors over their last two axes (ONNX MatMul with an activation on
/// each side, as in attention): per item and per leading index l, A[l] is m×k, B[l] is k×n, C[l] is m×n.
/// Backward: dA[l] = dC[l]·B[l]ᵀ (m×n · n×k), dB[l] = A[l]ᵀ·dC[l] (k×m · m×n).
struct MatMulLayer: MultiInputLayer {
    let spec: LayerSpec
    /// Products per item (the leading item axes multiplied out), and each product's sizes.
    let count: Int, m: Int, k: Int, n: Int

    init(spec: LayerSpec, left: [Int], right: [Int]) {
        self.spec = spec
        count = left.dropLast(2).reduce(1, *)
        (m, k, n) = (left[left.count - 2], left[left.count - 1], right[right.count - 1])
    }

    mutating func forward(inputs: [Tensor], into output: inout Tensor, training: Bool) {
        let (a, b) = (inputs[0], inputs[1]), batch = a.shape[0]
        let (m, k, n) = (m, k, n)
        output.prepare(shape: [batch] + Array(a.shape.dropFirst().dropLast()) + [n])
        a.scalars.withUnsafeBufferPointer { a in
            b.scalars.withUnsafeBufferPointer { b in
                output.scalars.withUnsafeMutableBufferPointer { c in
                    guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                    for product in 0..<(batch * count) {
                        MatrixMultiply.gemm(m: m, n: n, k: k, a: a + product * m * k, lda: k, b: b + product * k * n, ldb: n,
                                            c: c + product * m * n, ldc: n)
                    }
                }
            }
        }
    }

    mutating func backward(inputs: [Tensor], output: Tensor, outputGradient: Tensor,
                           into inputGradients: inout [Tensor], context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let (a, b) = (inputs[0], inputs[1]), batch = a.shape[0]
        let (m, k, n) = (m, k, n)
        var (da, db) = (inputGradients[0], inputGradients[1])
        inputGradients = [.empty, .empty]
        da.prepare(shape: a.shape)
        db.prepare(shape: b.shape)
        a.scalars.withUnsafeBufferPointer { a in
            b.scalars.withUnsafeBufferPointer { b in
                outputGradient.scalars.withUnsafeBufferPointer { dc in
                    da.scalars.withUnsafeMutableBufferPointer { da in
                        db.scalars.withUnsafeMutableBufferPointer { db in
                            guard let a = a.baseAddress, let b = b.baseAddress, let dc = dc.baseAddress,
                                  let da = da.baseAddress, let db = db.baseAddress else { return }
                            for product in 0..<(batch * count) {
                                let (pa, pb, pc) = (product * m * k, product * k * n, product * m * n)
                                MatrixMultiply.gemm(transposeB: true, m: m, n: k, k: n, a: dc + pc, lda: n, b: b + pb, ldb: n,
                                                    c: da + pa, ldc: k)
                                MatrixMultiply.gemm(transposeA: true, m: k, n: n, k: m, a: a + pa, lda: k, b: dc + pc, ldb: n,
                                                    c: db + pb, ldc: n)
                            }
                        }
                    }
                }
            }
        }
        inputGradients = [da, db]
    }
}
