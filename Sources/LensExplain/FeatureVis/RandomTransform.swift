import Foundation
import LensTensor

/// Transformation robustness (Olah et al. 2017): each step sees the image shifted, scaled and
/// slightly rotated at random, so that the ascent keeps patterns that survive small moves rather
/// than single-pixel noise. One affine warp with bilinear sampling, edges clamped:
///
///   out[y, x] = bilinear(in, c + R(−θ)·((y, x) − c)/s − (dy, dx))       c the image centre
///
/// and its adjoint scatters each output gradient back onto the four pixels it read.
struct RandomTransform: Sendable, Equatable {
    var shiftY: Float = 0, shiftX: Float = 0
    var scale: Float = 1
    var angle: Float = 0

    static let identity = RandomTransform()

    /// Lucid's ranges at 224 pixels (jitter 8 then 4, scales 0.9...1.1, ±10°) relative to the
    /// image's side: jitter a 28th of the side, at least one pixel.
    static func random(side: Int, using generator: inout SeededGenerator) -> RandomTransform {
        let jitter = max(1, side / 28)
        let scales: [Float] = [0.9, 0.95, 1, 1.05, 1.1]
        return RandomTransform(shiftY: Float(generator.nextInt(below: 2 * jitter + 1) - jitter),
                               shiftX: Float(generator.nextInt(below: 2 * jitter + 1) - jitter),
                               scale: scales[generator.nextInt(below: scales.count)],
                               angle: (generator.nextUniform() * 2 - 1) * 10 * .pi / 180)
    }

    /// For each output pixel, the four input pixels it reads and their weights.
    private func taps(height: Int, width: Int, _ body: (_ output: Int, _ inputs: SIMD4<Int>, _ weights: SIMD4<Float>) -> Void) {
        let cy = Float(height - 1) / 2, cx = Float(width - 1) / 2
        let cosine = cos(angle), sine = sin(angle)
        func clampY(_ v: Int) -> Int { min(max(v, 0), height - 1) }
        func clampX(_ v: Int) -> Int { min(max(v, 0), width - 1) }
        for y in 0..<height {
            for x in 0..<width {
                let (oy, ox) = ((Float(y) - cy) / scale, (Float(x) - cx) / scale)
                let sy = cy + cosine * oy + sine * ox - shiftY
                let sx = cx - sine * oy + cosine * ox - shiftX
                let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down))
                let fy = sy - Float(y0), fx = sx - Float(x0)
                body(y * width + x,
                     SIMD4(clampY(y0) * width + clampX(x0), clampY(y0) * width + clampX(x0 + 1),
                           clampY(y0 + 1) * width + clampX(x0), clampY(y0 + 1) * width + clampX(x0 + 1)),
                     SIMD4((1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx))
            }
        }
    }

    /// Warps `channels` planes of H x W.
    func apply(_ image: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        if self == .identity { return image }
        var out = [Float](repeating: 0, count: image.count)
        let plane = height * width
        taps(height: height, width: width) { output, inputs, weights in
            for c in 0..<channels {
                var value: Float = 0
                for t in 0..<4 { value += weights[t] * image[c * plane + inputs[t]] }
                out[c * plane + output] = value
            }
        }
        return out
    }

    /// The adjoint of `apply`: gradients at the warped image back onto the image.
    func adjoint(_ gradient: ArraySlice<Float>, channels: Int, height: Int, width: Int) -> [Float] {
        if self == .identity { return Array(gradient) }
        var out = [Float](repeating: 0, count: gradient.count)
        let plane = height * width, base = gradient.startIndex
        taps(height: height, width: width) { output, inputs, weights in
            for c in 0..<channels {
                let g = gradient[base + c * plane + output]
                for t in 0..<4 { out[c * plane + inputs[t]] += weights[t] * g }
            }
        }
        return out
    }
}
