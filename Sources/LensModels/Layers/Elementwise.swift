import LensKernels
import LensTensor

/// The loops every elementwise layer runs: y = f(x), and dx = g(dy, x, y), over whole batches,
/// split over the cores when long enough (a MobileNet activation is 10⁵-10⁶ floats per image).
/// The clamp (ReLU, Clip), its backward and the same-shape Add/Mul run LensKernels' vectorised
/// passes (elementwise.c); the others a Swift closure per element.
enum Elementwise {

    static func map(_ input: Tensor, into output: inout Tensor, _ f: (Float) -> Float) {
        output.prepare(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                let (x, y) = (x, y)
                Parallel.forEachChunk(count: x.count, minimumChunk: Parallel.elementwiseChunk) { range in
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
                        Parallel.forEachChunk(count: x.count, minimumChunk: Parallel.elementwiseChunk) { range in
                            for i in range { dx[i] = rule(dy[i], x[i], y[i]) }
                        }
                    }
                }
            }
        }
    }

    /// y = min(max(x, low), high) (a NaN stays NaN).
    static func clamp(_ input: Tensor, into output: inout Tensor, low: Float, high: Float,
                      minimumChunk: Int = Parallel.elementwiseChunk, kernel: DirectKernel = .chosen) {
        output.prepare(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                Parallel.forEachChunk(count: input.count, minimumChunk: Parallel.elementwiseChunk) { range in
                    lens_clamp(x + range.lowerBound, y + range.lowerBound, range.count, low, high, kernel.level)
                }
            }
        }
    }

    /// The gradient through a clamp: dx = dy where the mode's gate opens, else 0. The gate reads `gate`
    /// (low < v ≤ top) and, for deconvnet and guided backprop, the sign of dy (`lens_clamp_backward`).
    static func clampBackward(gate: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor, low: Float, top: Float,
                              mode: ReLUBackwardMode, minimumChunk: Int = Parallel.elementwiseChunk, kernel: DirectKernel = .chosen) {
        inputGradient.prepare(shape: outputGradient.shape)
        let pass = mode.kernelPass, count = outputGradient.count
        gate.scalars.withUnsafeBufferPointer { v in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    guard let v = v.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress else { return }
                    Parallel.forEachChunk(count: count, minimumChunk: Parallel.elementwiseChunk) { range in
                        let at = range.lowerBound
                        lens_clamp_backward(dy + at, v + at, dx + at, range.count, low, top, pass, kernel.level)
                    }
                }
            }
        }
    }

    /// z = x + y, elementwise over operands of one size, z shaped `shape`.
    static func add(_ x: Tensor, _ y: Tensor, into z: inout Tensor, shape: [Int], kernel: DirectKernel = .chosen) {
        combine(x, y, into: &z, shape: shape) { lens_add_elements($0, $1, $2, $3, kernel.level) }
    }

    /// z = min(max(x + y, low), high), elementwise over operands of one size, z shaped `shape`: an Add and
    /// the ReLU or Clip after it in one pass.
    static func addClamp(_ x: Tensor, _ y: Tensor, into z: inout Tensor, shape: [Int], clamp: ClosedRange<Float>,
                         kernel: DirectKernel = .chosen) {
        let (low, high) = (clamp.lowerBound, clamp.upperBound)
        combine(x, y, into: &z, shape: shape) { lens_add_clamp($0, $1, $2, $3, low, high, kernel.level) }
    }

    /// dx = `clampBackward` of a + b through `gate` (its values `values`): the last share of a clamp output's
    /// gradient added to the sum of the others and sent through the clamp in one pass.
    static func addClampBackward(_ a: Tensor, _ b: Tensor, values: Tensor, into dx: inout Tensor, gate: ClampGate,
                                 kernel: DirectKernel = .chosen) {
        precondition(a.count == b.count && a.count == values.count, "gradients of \(a.shape) and \(b.shape) through a gate of \(values.shape)")
        dx.prepare(shape: values.shape)
        let pass = gate.mode.kernelPass, count = values.count, (low, top) = (gate.low, gate.top)
        a.scalars.withUnsafeBufferPointer { a in
            b.scalars.withUnsafeBufferPointer { b in
                values.scalars.withUnsafeBufferPointer { v in
                    dx.scalars.withUnsafeMutableBufferPointer { dx in
                        guard let a = a.baseAddress, let b = b.baseAddress, let v = v.baseAddress, let dx = dx.baseAddress else { return }
                        Parallel.forEachChunk(count: count, minimumChunk: Parallel.elementwiseChunk) { range in
                            let at = range.lowerBound
                            lens_add_clamp_backward(a + at, b + at, v + at, dx + at, range.count, low, top, pass, kernel.level)
                        }
                    }
                }
            }
        }
    }

    /// z = x · y, elementwise over operands of one size, z shaped `shape`.
    static func multiply(_ x: Tensor, _ y: Tensor, into z: inout Tensor, shape: [Int], kernel: DirectKernel = .chosen) {
        combine(x, y, into: &z, shape: shape) { lens_multiply_elements($0, $1, $2, $3, kernel.level) }
    }

    /// z = x, shaped `shape`, reusing z's storage.
    static func copy(_ x: Tensor, into z: inout Tensor, shape: [Int]) {
        z.prepare(shape: shape)
        let count = z.count
        x.scalars.withUnsafeBufferPointer { x in
            z.scalars.withUnsafeMutableBufferPointer { z in
                guard let x = x.baseAddress, let z = z.baseAddress else { return }
                Parallel.forEachChunk(count: count, minimumChunk: Parallel.elementwiseChunk) { range in
                    (z + range.lowerBound).update(from: x + range.lowerBound, count: range.count)
                }
            }
        }
    }

    private static func combine(_ x: Tensor, _ y: Tensor, into z: inout Tensor, shape: [Int],
                                _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
        precondition(x.count == y.count && x.count == shape.reduce(1, *), "elementwise operands of \(x.shape) and \(y.shape) into \(shape)")
        z.prepare(shape: shape)
        let count = z.count
        x.scalars.withUnsafeBufferPointer { x in
            y.scalars.withUnsafeBufferPointer { y in
                z.scalars.withUnsafeMutableBufferPointer { z in
                    guard let x = x.baseAddress, let y = y.baseAddress, let z = z.baseAddress else { return }
                    Parallel.forEachChunk(count: count, minimumChunk: Parallel.elementwiseChunk) { range in
                        let at = range.lowerBound
                        kernel(x + at, y + at, z + at, range.count)
                    }
                }
            }
        }
    }
}

extension ReLUBackwardMode {
    /// LensKernels' LENS_PASS_* for this rule.
    var kernelPass: Int32 {
        switch self {
        case .gradient: Int32(LENS_PASS_GRADIENT)
        case .deconvnet: Int32(LENS_PASS_DECONVNET)
        case .guided: Int32(LENS_PASS_GUIDED)
        }
    }
}
