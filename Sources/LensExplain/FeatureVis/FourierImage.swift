import Foundation

/// An image of one channel kept as its half spectrum (numpy's `rfft2` layout: H rows of
/// W/2 + 1 complex coefficients), scaled by 1/frequency so that every frequency is equally easy for
/// gradient ascent to change (Olah et al., Distill 2017, "Preconditioning and parameterization").
///
///   x[n, m] = s · Σₖ Σₗ wₗ · Re( X̂[k, l] · e^{2πi(kn/H + lm/W)} ) / √(HW)      X̂ = X ⊙ scale
///
/// with wₗ = 1 for the columns that are their own conjugate (l = 0 and, W even, l = W/2) and 2
/// for the others: the orthonormal inverse real DFT. Separable: a complex DFT along the rows k,
/// then a real inverse along the columns l, O(HW(H + W)) per channel.
public struct FourierImage: Sendable {
    public let height: Int
    public let width: Int
    /// W/2 + 1: the columns of the half spectrum.
    public var columns: Int { width / 2 + 1 }
    /// Complex coefficients per channel; a channel's parameters are 2 x this (real, then imaginary).
    public var coefficientCount: Int { height * columns }
    /// 1 / max(|f|, 1/max(H, W)) per coefficient, |f| the frequency in cycles per pixel.
    public let scale: [Float]
    /// Lucid's overall 1/4, so that the initial image's values stay small before the sigmoid.
    static let outputScale: Float = 0.25

    // cos and sin of 2πkn/H and of 2πlm/W, tables of [k * H + n] and [l * W + m].
    private let rowCos: [Float], rowSin: [Float]
    private let columnCos: [Float], columnSin: [Float]

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
        let columns = width / 2 + 1
        let floor = 1 / Float(max(height, width))
        var scale = [Float](repeating: 0, count: height * columns)
        for k in 0..<height {
            // numpy's fftfreq: k/H for k < H/2 (rounded up), then (k − H)/H.
            let fy = Float(k < (height + 1) / 2 ? k : k - height) / Float(height)
            for l in 0..<columns {
                let fx = Float(l) / Float(width)
                scale[k * columns + l] = 1 / max((fy * fy + fx * fx).squareRoot(), floor)
            }
        }
        self.scale = scale
        func table(_ size: Int, _ count: Int, _ f: (Double) -> Double) -> [Float] {
            (0..<(count * size)).map { index in Float(f(2 * Double.pi * Double((index / size) * (index % size) % size) / Double(size))) }
        }
        rowCos = table(height, height, cos); rowSin = table(height, height, sin)
        columnCos = table(width, columns, cos); columnSin = table(width, columns, sin)
    }

    private func weight(_ l: Int) -> Float { l == 0 || (width % 2 == 0 && l == width / 2) ? 1 : 2 }
    private var normaliser: Float { Self.outputScale / Float(height * width).squareRoot() }

    /// One channel: `spectrum` [2 · coefficients] (real parts, then imaginary) → pixels [H · W].
    public func image(fromSpectrum spectrum: ArraySlice<Float>) -> [Float] {
        let (h, w, c) = (height, width, columns)
        let base = spectrum.startIndex, imaginary = base + coefficientCount
        // Y[n, l] = Σₖ X̂[k, l] e^{2πikn/H}
        var yRe = [Float](repeating: 0, count: h * c), yIm = [Float](repeating: 0, count: h * c)
        for k in 0..<h {
            for l in 0..<c {
                let s = scale[k * c + l]
                let re = spectrum[base + k * c + l] * s, im = spectrum[imaginary + k * c + l] * s
                if re == 0 && im == 0 { continue }
                for n in 0..<h {
                    let cosine = rowCos[k * h + n], sine = rowSin[k * h + n]
                    yRe[n * c + l] += re * cosine - im * sine
                    yIm[n * c + l] += re * sine + im * cosine
                }
            }
        }
        // x[n, m] = Σₗ wₗ Re(Y[n, l] e^{2πilm/W}) · normaliser
        var pixels = [Float](repeating: 0, count: h * w)
        let norm = normaliser
        for n in 0..<h {
            for l in 0..<c {
                let re = yRe[n * c + l] * weight(l) * norm, im = yIm[n * c + l] * weight(l) * norm
                for m in 0..<w { pixels[n * w + m] += re * columnCos[l * w + m] - im * columnSin[l * w + m] }
            }
        }
        return pixels
    }

    /// The adjoint of `image(fromSpectrum:)`: ∂L/∂spectrum [2 · coefficients] from ∂L/∂pixels [H · W].
    public func spectrumGradient(fromImageGradient gradient: ArraySlice<Float>) -> [Float] {
        let (h, w, c) = (height, width, columns)
        let base = gradient.startIndex, norm = normaliser
        // ∂L/∂Re Y[n, l] = wₗ·norm Σₘ g cos,   ∂L/∂Im Y[n, l] = −wₗ·norm Σₘ g sin
        var gRe = [Float](repeating: 0, count: h * c), gIm = [Float](repeating: 0, count: h * c)
        for n in 0..<h {
            for l in 0..<c {
                var re: Float = 0, im: Float = 0
                for m in 0..<w {
                    let g = gradient[base + n * w + m]
                    re += g * columnCos[l * w + m]
                    im -= g * columnSin[l * w + m]
                }
                gRe[n * c + l] = re * weight(l) * norm
                gIm[n * c + l] = im * weight(l) * norm
            }
        }
        // Re Y = Σₖ Re X̂ cos − Im X̂ sin,  Im Y = Σₖ Re X̂ sin + Im X̂ cos; then X̂ = X ⊙ scale.
        var result = [Float](repeating: 0, count: 2 * coefficientCount)
        for k in 0..<h {
            for l in 0..<c {
                var re: Float = 0, im: Float = 0
                for n in 0..<h {
                    let cosine = rowCos[k * h + n], sine = rowSin[k * h + n]
                    re += gRe[n * c + l] * cosine + gIm[n * c + l] * sine
                    im += -gRe[n * c + l] * sine + gIm[n * c + l] * cosine
                }
                result[k * c + l] = re * scale[k * c + l]
                result[coefficientCount + k * c + l] = im * scale[k * c + l]
            }
        }
        return result
    }
}
