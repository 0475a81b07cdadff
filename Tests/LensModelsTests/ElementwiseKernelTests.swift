@testable import LensModels
import LensTensor
import Testing

/// LensKernels' elementwise passes (every instruction-set variant this CPU runs) against the plain
/// rules written out here: the clamp forward, its backward under the three ReLU rules at the Clip's
/// boundaries (x == low and x == high pass nothing, as PyTorch's hardtanh), with NaNs and infinities,
/// and the same-shape Add and Mul of residual blocks forward and backward. Lengths cover the vector
/// loops' tails (37 = 2·16 + 5 = 4·8 + 5) and a split over the cores (200 000).
@Suite struct ElementwiseKernelTests {
    static let lengths = [1, 37, 200_000]

    /// Values around the bounds 0 and 6 (ReLU6), signed zeros, infinities, NaN, then random values.
    private func values(_ count: Int, seed: UInt64) -> Tensor {
        let special: [Float] = [0, -0.0, 6, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Float(6).nextDown, Float(6).nextUp, 3, -2, 7,
                                .infinity, -.infinity, .nan, Float(1e-40), -Float(1e-40)]
        var tensor = randomTensor([count], seed: seed, scale: 5)
        for i in 0..<count where i % 3 == 0 { tensor.scalars[i] = special[(i / 3 + Int(seed)) % special.count] }
        return tensor
    }

    private func expectSame(_ actual: [Float], _ expected: [Float], _ what: String) {
        #expect(actual.count == expected.count, "\(what): count")
        let wrong = zip(actual, expected).enumerated().first { _, pair in
            !(pair.0.bitPattern == pair.1.bitPattern || (pair.0.isNaN && pair.1.isNaN))
        }
        #expect(wrong == nil, "\(what): at \(wrong?.offset ?? -1) got \(wrong?.element.0 ?? 0), expected \(wrong?.element.1 ?? 0)")
    }

    @Test(arguments: lengths)
    func clampMatchesThePlainRule(count: Int) {
        let x = values(count, seed: 1)
        for (low, high) in [(Float(0), Float(6)), (0, .infinity), (-0.5, 0.25)] {
            let expected = x.scalars.map { $0 < low ? low : ($0 > high ? high : $0) }
            for kernel in DirectKernel.allCases {
                var y = Tensor(shape: [count], scalars: Array(repeating: .nan, count: count))
                Elementwise.clamp(x, into: &y, low: low, high: high, kernel: kernel)
                expectSame(y.scalars, expected, "clamp \(low)...\(high) \(kernel) n=\(count)")
            }
        }
    }

    /// The Clip layer's rule per mode, as PyTorch's hardtanh and lens's guided/deconvnet rules define it.
    private func clipRule(_ mode: ReLUBackwardMode, low: Float, high: Float) -> (Float, Float) -> Float {
        switch mode {
        case .gradient: { dy, x in x > low && x < high ? dy : 0 }
        case .deconvnet: { dy, _ in dy > 0 ? dy : 0 }
        case .guided: { dy, x in x > low && x < high && dy > 0 ? dy : 0 }
        }
    }

    @Test(arguments: lengths)
    func clipBackwardFollowsEachRuleAtTheBoundaries(count: Int) {
        let x = values(count, seed: 2), dy = values(count, seed: 3)
        var clip = ClipLayer(spec: LayerSpec(name: "relu6", operation: .clip(low: 0, high: 6)), low: 0, high: 6)
        var y = Tensor.empty
        clip.forward(x, into: &y, training: true)
        for mode in ReLUBackwardMode.allCases {
            let rule = clipRule(mode, low: 0, high: 6)
            let expected = zip(dy.scalars, x.scalars).map { rule($0, $1) }
            var dx = Tensor(shape: [count], scalars: Array(repeating: .nan, count: count))
            clip.backward(input: x, output: y, outputGradient: dy, into: &dx,
                          context: BackwardContext(reluMode: mode, parameterGradients: .skip, needsInputGradient: true))
            expectSame(dx.scalars, expected, "Clip \(mode) n=\(count)")
            for kernel in DirectKernel.allCases {
                var each = Tensor.empty
                Elementwise.clampBackward(gate: x, outputGradient: dy, into: &each, low: 0, top: Float(6).nextDown, mode: mode,
                                          kernel: kernel)
                expectSame(each.scalars, expected, "Clip \(mode) \(kernel) n=\(count)")
            }
        }
        // At the bounds nothing passes; inside, everything does.
        let probe = Tensor(shape: [4], scalars: [0, 6, Float(6).nextDown, .leastNonzeroMagnitude])
        var dx = Tensor.empty
        clip.backward(input: probe, output: probe, outputGradient: Tensor(shape: [4], scalars: [1, 1, 1, 1]), into: &dx,
                      context: BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true))
        #expect(dx.scalars == [0, 0, 1, 1])
    }

    @Test(arguments: lengths)
    func reluForwardAndBackwardFollowTheirRules(count: Int) {
        let x = values(count, seed: 4), dy = values(count, seed: 5)
        var relu = ReLULayer(spec: LayerSpec(name: "relu", operation: .relu))
        var y = Tensor.empty
        relu.forward(x, into: &y, training: true)
        expectSame(y.scalars, x.scalars.map { $0 < 0 ? 0 : $0 }, "ReLU forward n=\(count)")
        for mode in ReLUBackwardMode.allCases {
            let expected: [Float] = zip(dy.scalars, y.scalars).map { g, f in
                switch mode {
                case .gradient: f > 0 ? g : 0
                case .deconvnet: g > 0 ? g : 0
                case .guided: f > 0 && g > 0 ? g : 0
                }
            }
            var dx = Tensor.empty
            relu.backward(input: x, output: y, outputGradient: dy, into: &dx,
                          context: BackwardContext(reluMode: mode, parameterGradients: .skip, needsInputGradient: true))
            expectSame(dx.scalars, expected, "ReLU \(mode) n=\(count)")
        }
    }

    /// Closed gates give 0 whatever dy is (an infinite dy is selected away, never multiplied by 0), a
    /// NaN input closes the gate, and finite inputs never make a NaN.
    @Test func backwardMakesNoNaN() {
        let x = Tensor(shape: [20], scalars: (0..<20).map { $0 % 2 == 0 ? -1 : ($0 == 19 ? .nan : 9) })   // all gates closed
        let dy = Tensor(shape: [20], scalars: (0..<20).map { $0 % 3 == 0 ? .infinity : ($0 % 3 == 1 ? -.infinity : .nan) })
        for mode in [ReLUBackwardMode.gradient, .guided] {
            for kernel in DirectKernel.allCases {
                var dx = Tensor.empty
                Elementwise.clampBackward(gate: x, outputGradient: dy, into: &dx, low: 0, top: Float(6).nextDown, mode: mode, kernel: kernel)
                #expect(dx.scalars.allSatisfy { $0 == 0 }, "\(mode) \(kernel): \(dx.scalars)")
            }
        }
        let finite = values(1000, seed: 6).scalars.map { $0.isFinite ? $0 : 1 }
        for mode in ReLUBackwardMode.allCases {
            var dx = Tensor.empty
            Elementwise.clampBackward(gate: Tensor(shape: [1000], scalars: finite), outputGradient: Tensor(shape: [1000], scalars: Array(finite.reversed())),
                                      into: &dx, low: 0, top: Float(6).nextDown, mode: mode)
            #expect(!dx.scalars.contains { $0.isNaN }, "\(mode)")
            #expect(dx.scalars.contains { $0 != 0 }, "\(mode): some gradient should pass")
        }
    }

    @Test(arguments: lengths)
    func sameShapeAddAndMultiplyMatchTheirRules(count: Int) {
        let x = values(count, seed: 7), y = values(count, seed: 8)
        for kernel in DirectKernel.allCases {
            var z = Tensor.empty
            Elementwise.add(x, y, into: &z, shape: [count], kernel: kernel)
            expectSame(z.scalars, zip(x.scalars, y.scalars).map { $0 + $1 }, "add \(kernel) n=\(count)")
            Elementwise.multiply(x, y, into: &z, shape: [count], kernel: kernel)
            expectSame(z.scalars, zip(x.scalars, y.scalars).map { $0 * $1 }, "multiply \(kernel) n=\(count)")
        }
    }

    /// A residual Add and its ReLU or Clip in one pass: the two passes' rule, bit for bit (NaN stays NaN).
    @Test(arguments: lengths)
    func addThenClampMatchesTheTwoPasses(count: Int) {
        let x = values(count, seed: 12), y = values(count, seed: 13)
        for (low, high) in [(Float(0), Float.infinity), (0, 6), (-0.5, 0.25)] {
            let expected = zip(x.scalars, y.scalars).map { (a: Float, b: Float) -> Float in
                let sum = a + b
                return sum < low ? low : (sum > high ? high : sum)
            }
            for kernel in DirectKernel.allCases {
                var z = Tensor(shape: [count], scalars: Array(repeating: .nan, count: count))
                Elementwise.addClamp(x, y, into: &z, shape: [count], clamp: low...high, kernel: kernel)
                expectSame(z.scalars, expected, "add+clamp \(low)...\(high) \(kernel) n=\(count)")
            }
        }
    }

    /// The last share of a clamp output's gradient added and gated in one pass: the gate of the sum under every
    /// rule (the sign test on the sum, not on either share), bit for bit, for a ReLU and a Clip.
    @Test(arguments: lengths)
    func sumThenGateMatchesTheTwoPasses(count: Int) throws {
        let a = values(count, seed: 14), b = values(count, seed: 15), v = values(count, seed: 16)
        var sum = Tensor.empty
        Elementwise.add(a, b, into: &sum, shape: [count], kernel: .portable)
        for operation in [LayerSpec.Operation.relu, .clip(low: 0, high: 6)] {
            for mode in ReLUBackwardMode.allCases {
                let gate = try #require(ClampGate(operation, mode: mode))
                var expected = Tensor.empty
                Elementwise.clampBackward(gate: v, outputGradient: sum, into: &expected, low: gate.low, top: gate.top, mode: mode,
                                          kernel: .portable)
                for kernel in DirectKernel.allCases {
                    var dx = Tensor(shape: [count], scalars: Array(repeating: .nan, count: count))
                    Elementwise.addClampBackward(a, b, values: v, into: &dx, gate: gate, kernel: kernel)
                    expectSame(dx.scalars, expected.scalars, "sum+gate \(operation) \(mode) \(kernel) n=\(count)")
                }
            }
        }
    }

    /// The residual Add and Mul of operands of one shape (the vectorised path): z, and dx, dy by the
    /// product rule, on a batch of 2.
    @Test func broadcastLayerOfOneShapeMatchesItsRules() {
        let shape = [3, 5, 7], items = 2 * 105
        let x = randomTensor([2] + shape, seed: 9), y = randomTensor([2] + shape, seed: 10), dz = randomTensor([2] + shape, seed: 11)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        for kind in [BroadcastLayer.Kind.add, .multiply] {
            var layer = BroadcastLayer(spec: LayerSpec(name: "op", operation: kind == .add ? .add : .multiply), kind: kind,
                                       left: shape, right: shape, output: shape)
            var z = Tensor.empty
            layer.forward(inputs: [x, y], into: &z, training: true)
            #expect(z.shape == [2] + shape)
            expectSame(z.scalars, zip(x.scalars, y.scalars).map { kind == .add ? $0 + $1 : $0 * $1 }, "\(kind) forward")
            var gradients = [Tensor.empty, Tensor.empty]
            layer.backward(inputs: [x, y], output: z, outputGradient: dz, into: &gradients, context: context)
            #expect(gradients[0].shape == x.shape && gradients[1].shape == y.shape && gradients[0].count == items)
            expectSame(gradients[0].scalars, kind == .add ? dz.scalars : zip(dz.scalars, y.scalars).map { $0 * $1 }, "\(kind) dx")
            expectSame(gradients[1].scalars, kind == .add ? dz.scalars : zip(dz.scalars, x.scalars).map { $0 * $1 }, "\(kind) dy")
        }
    }
}
