import Foundation
import LensTensor

/// A Gaussian blur of images [N, C, H, W], each channel on its own: separable, the kernel cut at
/// 3σ, borders mirrored (d c b a | a b c d, SciPy's 'reflect'). The blurred baseline of the
/// faithfulness curves.
public enum GaussianBlur {
    public static func apply(_ images: Tensor, sigma: Float) -> Tensor {
        guard images.rank == 4, sigma > 0 else { return images }
        let (planes, height, width) = (images.shape[0] * images.shape[1], images.shape[2], images.shape[3])
        let kernel = weights(sigma: Double(sigma))
        let radius = kernel.count / 2
        var out = images
        var row = [Float](repeating: 0, count: height * width)
        images.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { target in
                for plane in 0..<planes {
                    let base = plane * height * width
                    for y in 0..<height {
                        for x in 0..<width {
                            var sum: Float = 0
                            for t in -radius...radius { sum += kernel[t + radius] * source[base + y * width + reflect(x + t, width)] }
                            row[y * width + x] = sum
                        }
                    }
                    for y in 0..<height {
                        for x in 0..<width {
                            var sum: Float = 0
                            for t in -radius...radius { sum += kernel[t + radius] * row[reflect(y + t, height) * width + x] }
                            target[base + y * width + x] = sum
                        }
                    }
                }
            }
        }
        return out
    }

    static func weights(sigma: Double) -> [Float] {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let raw = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = raw.reduce(0, +)
        return raw.map { Float($0 / sum) }
    }

    /// Index `i` mirrored into 0..<n, however far outside it is.
    static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * n
        let m = ((i % period) + period) % period
        return m < n ? m : period - 1 - m
    }
}
