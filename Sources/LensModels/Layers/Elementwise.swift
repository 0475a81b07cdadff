import LensTensor

/// The loops every elementwise layer runs: y = f(x), and dx = g(dy, x, y), over whole batches,
/// split over the cores when long enough (a MobileNet activation is 10⁵-10⁶ floats per image).
enum Elementwise {
    /// Floats per part below which a loop stays on one thread (tens of µs of work).
    static let minimumChunk = 1 << 16

    static func map(_ input: Tensor, into output: inout Tensor, _ f: (Float) -> Float) {
        output.prepare(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                let (x, y) = (x, y)
                Parallel.forEachChunk(count: x.count, minimumChunk: minimumChunk) { range in
                    for i in range { y[i] = f(x[i]) }
                }
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
                        let dx = dx
                        Parallel.forEachChunk(count: x.count, minimumChunk: minimumChunk) { range in
                            for i in range { dx[i] = rule(dy[i], x[i], y[i]) }
                        }
                    }
                }
            }
        }
    }
}
