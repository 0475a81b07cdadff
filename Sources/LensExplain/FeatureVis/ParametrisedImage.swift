import Foundation
import LensTensor

/// The image gradient ascent changes, as Lucid parametrises it: per channel a scaled Fourier
/// spectrum (`FourierImage`), for RGB the colours decorrelated (a 3x3 square root of ImageNet's
/// colour covariance, columns normalised), then a sigmoid into the pixel range [0, 1].
///
///   pre_c = irfft2(X_c ⊙ scale)        t = M · pre (RGB) or pre (gray)        x = σ(t)
struct ParametrisedImage: Sendable {
    let channels: Int
    let basis: FourierImage

    /// Lucid's `color_correlation_svd_sqrt` (rows: R, G, B), divided by its largest column norm.
    static let colourCorrelation: [Float] = {
        let m: [Float] = [0.26, 0.09, 0.02,
                          0.27, 0.00, -0.05,
                          0.27, -0.09, 0.03]
        let norms = (0..<3).map { column in (0..<3).map { m[$0 * 3 + column] * m[$0 * 3 + column] }.reduce(0, +).squareRoot() }
        let largest = norms.max() ?? 1
        return m.map { $0 / largest }
    }()

    init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        basis = FourierImage(height: height, width: width)
    }

    var pixelsPerChannel: Int { basis.height * basis.width }
    /// Parameters of one image: per channel, real then imaginary parts of the half spectrum.
    var parameterCount: Int { channels * 2 * basis.coefficientCount }

    /// Lucid's start: every coefficient normal with standard deviation 0.01.
    func initialParameters(using generator: inout SeededGenerator) -> [Float] {
        (0..<parameterCount).map { _ in generator.nextNormal() * 0.01 }
    }

    /// Pixels [C · H · W] in [0, 1] from one image's parameters.
    func pixels(_ parameters: ArraySlice<Float>) -> [Float] {
        var t = preSigmoid(parameters)
        for i in t.indices { t[i] = 1 / (1 + exp(-t[i])) }
        return t
    }

    private func preSigmoid(_ parameters: ArraySlice<Float>) -> [Float] {
        let size = 2 * basis.coefficientCount, start = parameters.startIndex
        var pre = [Float]()
        pre.reserveCapacity(channels * pixelsPerChannel)
        for channel in 0..<channels {
            pre += basis.image(fromSpectrum: parameters[(start + channel * size)..<(start + (channel + 1) * size)])
        }
        return channels == 3 ? mixColours(pre, Self.colourCorrelation, transposed: false) : pre
    }

    /// ∂L/∂parameters from ∂L/∂pixels, given the pixels σ(t) the forward pass made.
    func parameterGradient(pixels: [Float], pixelGradient: ArraySlice<Float>) -> [Float] {
        // ∂σ(t)/∂t = σ(1 − σ)
        var gradient = zip(pixels, pixelGradient).map { x, g in g * x * (1 - x) }
        if channels == 3 { gradient = mixColours(gradient, Self.colourCorrelation, transposed: true) }
        var result = [Float]()
        result.reserveCapacity(parameterCount)
        let plane = pixelsPerChannel
        for channel in 0..<channels {
            result += basis.spectrumGradient(fromImageGradient: gradient[(channel * plane)..<((channel + 1) * plane)])
        }
        return result
    }

    /// out[c, p] = Σ_d M[c, d] · in[d, p] (or Mᵀ when `transposed`), planes of one image.
    private func mixColours(_ planes: [Float], _ m: [Float], transposed: Bool) -> [Float] {
        let plane = pixelsPerChannel
        var out = [Float](repeating: 0, count: planes.count)
        for c in 0..<3 {
            for d in 0..<3 {
                let weight = transposed ? m[d * 3 + c] : m[c * 3 + d]
                for p in 0..<plane { out[c * plane + p] += weight * planes[d * plane + p] }
            }
        }
        return out
    }
}
