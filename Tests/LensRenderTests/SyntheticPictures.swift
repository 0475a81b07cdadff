import Foundation
import LensTensor

/// Made-up inputs and maps with known structure, for the rendering tests and the sample pages.
enum Synthetic {
    /// A face-like gray image [1, side, side]: a bright oval on a dark ground with two dark eyes and a mouth.
    static func face(side: Int, shift: Float = 0) -> Tensor {
        let s = Float(side)
        var values = [Float](repeating: 0.12, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let u = (Float(x) + 0.5) / s - 0.5 - shift, v = (Float(y) + 0.5) / s - 0.5
                var value: Float = 0.12
                if u * u / 0.12 + v * v / 0.2 < 1 { value = 0.78 - 0.4 * (u * u + v * v) }
                for eye: Float in [-0.14, 0.14] where (u - eye) * (u - eye) + (v + 0.08) * (v + 0.08) < 0.004 { value = 0.2 }
                if abs(u) < 0.12 && abs(v - 0.2) < 0.025 { value = 0.35 }
                values[y * side + x] = value
            }
        }
        return Tensor(shape: [1, side, side], scalars: values)
    }

    /// An RGB version of `face`, tinted.
    static func colorFace(side: Int) -> Tensor {
        let gray = face(side: side).scalars
        return Tensor(shape: [3, side, side], scalars: gray.map { min($0 * 1.1, 1) } + gray.map { $0 * 0.85 } + gray.map { $0 * 0.7 })
    }

    /// `channels` x side x side: a positive blob at (px, py) minus a negative one at (nx, ny), in
    /// fractions of the side, times `amplitude`, plus a little deterministic ripple.
    static func blobs(side: Int, channels: Int = 1, positive: (Float, Float), negative: (Float, Float),
                      width: Float = 0.12, amplitude: Float = 1) -> Tensor {
        let s = Float(side)
        var values: [Float] = []
        for c in 0..<channels {
            for y in 0..<side {
                for x in 0..<side {
                    let u = (Float(x) + 0.5) / s, v = (Float(y) + 0.5) / s
                    func blob(_ center: (Float, Float)) -> Float {
                        let d = (u - center.0) * (u - center.0) + (v - center.1) * (v - center.1)
                        return exp(-d / (2 * width * width))
                    }
                    let ripple = 0.05 * sin(Float(x * 7 + y * 3 + c))
                    values.append(amplitude * (blob(positive) - 0.8 * blob(negative) + ripple) * (c == 0 ? 1 : 0.6))
                }
            }
        }
        return Tensor(shape: [channels, side, side], scalars: values)
    }
}
