import Foundation
import Testing
import LensKernels
import LensTensor
@testable import LensModels

/// batchnorm.c's lane-summed passes against the equations in Double, over plane sizes with and
/// without a tail of fewer than 16 floats, and a batch large enough for BatchNormLayer to split its
/// channels over the cores.
@Suite struct BatchNormKernelTests {
    /// x [batch, channels, plane] of normal values around `offset` (an offset makes the centred sum matter).
    static func values(_ count: Int, seed: UInt64, offset: Float = 0) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in offset + generator.nextNormal() }
    }

    @Test(arguments: [(3, 1), (2, 7), (4, 16), (3, 49), (2, 100)])
    func channelSumsMatchDoubleSums(_ batch: Int, _ plane: Int) {
        let channels = 3, x = Self.values(batch * channels * plane, seed: UInt64(plane), offset: 5)
        for c in 0..<channels {
            let centre: Float = 4.75
            var sum: Float = 0, square: Float = 0, gradientSum: Float = 0, product: Float = 0
            let dy = Self.values(x.count, seed: 99)
            lens_bn_sums(x.withUnsafeBufferPointer { $0.baseAddress! } + c * plane, batch, channels * plane, plane, centre, &sum, &square)
            lens_bn_gradient_sums(x.withUnsafeBufferPointer { $0.baseAddress! } + c * plane, dy.withUnsafeBufferPointer { $0.baseAddress! } + c * plane,
                                  batch, channels * plane, plane, 5, 0.5, &gradientSum, &product)
            var expected = (sum: 0.0, square: 0.0, gradient: 0.0, product: 0.0)
            for n in 0..<batch {
                for i in 0..<plane {
                    let index = (n * channels + c) * plane + i
                    let d = Double(x[index]) - Double(centre)
                    expected.sum += d
                    expected.square += d * d
                    expected.gradient += Double(dy[index])
                    expected.product += Double(dy[index]) * (Double(x[index]) - 5) * 0.5
                }
            }
            let scale = Double(batch * plane)
            #expect(abs(Double(sum) - expected.sum) <= 1e-5 * scale, "Σ(x − c), channel \(c)")
            #expect(abs(Double(square) - expected.square) <= 1e-5 * scale, "Σ(x − c)², channel \(c)")
            #expect(abs(Double(gradientSum) - expected.gradient) <= 1e-5 * scale, "Σ dy, channel \(c)")
            #expect(abs(Double(product) - expected.product) <= 1e-5 * scale, "Σ dy·x̂, channel \(c)")
        }
    }

    @Test func elementwisePassesWriteOnlyTheirChannel() {
        let (batch, channels, plane) = (2, 3, 21)
        let x = Self.values(batch * channels * plane, seed: 1), dy = Self.values(x.count, seed: 2)
        var y = [Float](repeating: .nan, count: x.count), dx = y
        x.withUnsafeBufferPointer { x in
            dy.withUnsafeBufferPointer { dy in
                lens_bn_affine(x.baseAddress! + plane, &y[plane], batch, channels * plane, plane, 2, -1)
                lens_bn_input_gradient(x.baseAddress! + plane, dy.baseAddress! + plane, &dx[plane], batch, channels * plane, plane,
                                       1.5, 0.25, 2, 0.1, 0.3)
            }
        }
        for n in 0..<batch {
            for c in 0..<channels {
                for i in 0..<plane {
                    let index = (n * channels + c) * plane + i
                    if c == 1 {
                        #expect(abs(y[index] - (2 * x[index] - 1)) <= 1e-6 * max(1, abs(y[index])))
                        let expected = 1.5 * (dy[index] - 0.1 - (x[index] - 0.25) * 2 * 0.3)
                        #expect(abs(dx[index] - expected) <= 1e-5 * max(1, abs(expected)))
                    } else {
                        #expect(y[index].isNaN && dx[index].isNaN, "channel \(c) was written")
                    }
                }
            }
        }
    }

    /// A [64, 8, 28, 28] batch: each channel is 50,176 values, so the layer splits its channels over
    /// the cores; the output is checked against the training-mode equations in Double.
    @Test func aLargeBatchIsNormalisedPerChannelAsTheEquationsSay() {
        let (batch, channels, plane) = (64, 8, 28 * 28)
        var layer = BatchNormLayer(spec: LayerSpec(name: "bn1", operation: .batchNorm(channels: channels, epsilon: 1e-5)),
                                   channels: channels, epsilon: 1e-5)
        let input = Tensor(shape: [batch, channels, 28, 28], scalars: Self.values(batch * channels * plane, seed: 7, offset: 3))
        var output = Tensor.empty
        layer.forward(input, into: &output, training: true)
        for c in 0..<channels {
            var mean = 0.0, variance = 0.0
            for n in 0..<batch { for i in 0..<plane { mean += Double(input.scalars[(n * channels + c) * plane + i]) } }
            mean /= Double(batch * plane)
            for n in 0..<batch { for i in 0..<plane { variance += pow(Double(input.scalars[(n * channels + c) * plane + i]) - mean, 2) } }
            variance /= Double(batch * plane)
            for n in [0, batch - 1] {
                for i in [0, plane / 2, plane - 1] {
                    let at = (n * channels + c) * plane + i
                    let expected = (Double(input.scalars[at]) - mean) / (variance + 1e-5).squareRoot()
                    #expect(abs(Double(output.scalars[at]) - expected) <= 1e-4, "channel \(c), item \(n), position \(i)")
                }
            }
        }
    }
}
