import Foundation
import LensTensor

/// Transformation robustness (Olah et al. 2017), Lucid's and Lucent's chain: pad with grey, jitter,
/// scale, rotate, jitter again, so that the ascent keeps patterns that survive small moves rather
/// than single-pixel noise. Our networks take one input size, so the padding is where the warp
/// reads outside the image: it sees grey (`background`), not the image's edge smeared outwards.
/// One affine warp with bilinear sampling:
///
///   out[y, x] = bilinear(in, c + R(−θ)·((y, x) − j₂ − c)/s − j₁)       c the image centre
///
/// and its adjoint scatters each output gradient back onto the (inside) pixels it read.
struct RandomTransform: Sendable, Equatable {
    /// The first jitter j₁ (before scale and rotation) and the second j₂ (after).
    var shiftY: Float = 0, shiftX: Float = 0
    var lateShiftY: Float = 0, lateShiftX: Float = 0
    var scale: Float = 1
    var angle: Float = 0

    static let identity = RandomTransform()
    /// What lies outside the image: Lucent's `pad(12, mode="constant", constant_value=0.5)`.
    static let background: Float = 0.5

    /// Lucent's ranges at 224 pixels (jitter 8, scales 1 ± 0.02k up to ±0.1, integer degrees in
    /// ±10 with 0 weighted 6 times, jitter 4) scaled to the image's side: at 64 pixels jitter 2, then 1.
    static func random(side: Int, using generator: inout SeededGenerator) -> RandomTransform {
        func shift(_ at224: Int) -> Float {
            let d = max(1, Int((Double(side * at224) / 224).rounded()))
            return Float(generator.nextInt(below: 2 * d + 1) - d)
        }
        var transform = RandomTransform()
        (transform.shiftY, transform.shiftX) = (shift(8), shift(8))
        transform.scale = 1 + Float(generator.nextInt(below: 11) - 5) / 50
        let degrees = generator.nextInt(below: 26)   // 21 angles, then 5 more zeros
        transform.angle = Float(degrees < 21 ? degrees - 10 : 0) * .pi / 180
        (transform.lateShiftY, transform.lateShiftX) = (shift(4), shift(4))
        return transform
    }

    /// For each output pixel, the four input pixels it reads (−1: outside the image) and their weights.
    private func taps(height: Int, width: Int, _ body: (_ output: Int, _ inputs: SIMD4<Int>, _ weights: SIMD4<Float>) -> Void) {
        let cy = Float(height - 1) / 2, cx = Float(width - 1) / 2
        let cosine = cos(angle), sine = sin(angle)
        func pixel(_ y: Int, _ x: Int) -> Int { (0..<height).contains(y) && (0..<width).contains(x) ? y * width + x : -1 }
        for y in 0..<height {
            for x in 0..<width {
                let (oy, ox) = ((Float(y) - lateShiftY - cy) / scale, (Float(x) - lateShiftX - cx) / scale)
                let sy = cy + cosine * oy + sine * ox - shiftY
                let sx = cx - sine * oy + cosine * ox - shiftX
                let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down))
                let fy = sy - Float(y0), fx = sx - Float(x0)
                body(y * width + x,
                     SIMD4(pixel(y0, x0), pixel(y0, x0 + 1), pixel(y0 + 1, x0), pixel(y0 + 1, x0 + 1)),
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
                for t in 0..<4 { value += weights[t] * (inputs[t] < 0 ? Self.background : image[c * plane + inputs[t]]) }
                out[c * plane + output] = value
            }
        }
        return out
    }

    /// The adjoint of `apply`'s linear part: gradients at the warped image back onto the image
    /// (the grey background takes none).
    func adjoint(_ gradient: ArraySlice<Float>, channels: Int, height: Int, width: Int) -> [Float] {
        if self == .identity { return Array(gradient) }
        var out = [Float](repeating: 0, count: gradient.count)
        let plane = height * width, base = gradient.startIndex
        taps(height: height, width: width) { output, inputs, weights in
            for c in 0..<channels {
                let g = gradient[base + c * plane + output]
                for t in 0..<4 where inputs[t] >= 0 { out[c * plane + inputs[t]] += weights[t] * g }
            }
        }
        return out
    }
}
