import LensTensor

/// The loops every elementwise layer runs: y = f(x), and dx = g(dy, x, y), over whole batches.
enum Elementwise {
    static func map(_ input: Tensor, into output: inout Tensor, _ f: (Float) -> Float) {
        output.prepare(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                for i in 0..<x.count { y[i] = f(x[i]) }
            }
        }
    }

    /// dx[i] = rule(dy[i], x[i], y[i]).
    static func backward(input: Tensor, output: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                         _ rule: (_ dy: Float, _ x: Float, _ y: Float) -> Float) {
        inputGradient.prepare(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeBufferPointer { y in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                        for i in 0..<x.count { dx[i] = rule(dy[i], x[i], y[i]) }
                    }
                }
            }
        }
    }
}
