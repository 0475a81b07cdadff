import Foundation
import LensTensor
import Testing
@testable import LensExplain

/// The image parametrisation of feature visualisation: its inverse Fourier transform against a
/// direct DFT, and every backward pass against its forward (adjoint identity, finite differences).
@Suite struct FourierImageTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextNormal() }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

    /// An image's direct DFT, X[k, l] = Σₙ Σₘ x[n, m] e^{−2πi(kn/H + lm/W)}, put in as the spectrum
    /// (undoing the scale and normalisation) gives the image back.
    @Test(arguments: [(6, 8), (5, 7), (1, 4), (9, 9)])
    func inverseUndoesADirectDFT(size: (Int, Int)) {
        let (h, w) = size
        let basis = FourierImage(height: h, width: w)
        let x = Self.random(h * w, seed: UInt64(h * 31 + w))
        var spectrum = [Float](repeating: 0, count: 2 * basis.coefficientCount)
        let normalisation = Double(FourierImage.outputScale) * Double(h * w).squareRoot()
        for k in 0..<h {
            for l in 0..<basis.columns {
                var re = 0.0, im = 0.0
                for n in 0..<h {
                    for m in 0..<w {
                        let angle = -2 * Double.pi * (Double(k * n) / Double(h) + Double(l * m) / Double(w))
                        re += Double(x[n * w + m]) * cos(angle)
                        im += Double(x[n * w + m]) * sin(angle)
                    }
                }
                let scale = Double(basis.scale[k * basis.columns + l]) * normalisation
                spectrum[k * basis.columns + l] = Float(re / scale)
                spectrum[basis.coefficientCount + k * basis.columns + l] = Float(im / scale)
            }
        }
        let back = basis.image(fromSpectrum: spectrum[...])
        #expect(maxDifference(back, x) < 1e-4)
    }

    /// The scale is 1 / frequency, floored at 1 / max(H, W): the constant term is damped least.
    @Test func scaleIsOneOverFrequency() {
        let basis = FourierImage(height: 8, width: 8)
        #expect(basis.scale[0] == 8)                  // DC: the floor
        #expect(abs(basis.scale[1] - 8) < 1e-5)       // (0, 1/8)
        #expect(abs(basis.scale[1 * basis.columns + 1] - 1 / (2 * 0.015625).squareRoot()) < 1e-4)
        #expect(abs(basis.scale[4 * basis.columns + 4] - 1 / (0.5 as Float).squareRoot()) < 1e-4) // (1/2, 1/2)
    }

    /// ⟨A s, g⟩ = ⟨s, Aᵀ g⟩ for the Fourier map and for a random warp (affine: the grey it reads
    /// outside the image is A(0), so ⟨A x − A 0, g⟩ = ⟨x, Aᵀ g⟩).
    @Test func backwardPassesAreAdjoints() {
        let basis = FourierImage(height: 7, width: 6)
        let s = Self.random(2 * basis.coefficientCount, seed: 1), g = Self.random(42, seed: 2)
        let forward = Self.dot(basis.image(fromSpectrum: s[...]), g)
        let backward = Self.dot(s, basis.spectrumGradient(fromImageGradient: g[...]))
        #expect(abs(forward - backward) < 1e-4 * max(1, abs(forward)))

        var generator = SeededGenerator(seed: 3)
        for _ in 0..<5 {
            let warp = RandomTransform.random(side: 30, using: &generator)
            let image = Self.random(2 * 30 * 30, seed: 4), gradient = Self.random(2 * 30 * 30, seed: 5)
            let zero = warp.apply([Float](repeating: 0, count: image.count), channels: 2, height: 30, width: 30)
            let a = Self.dot(zip(warp.apply(image, channels: 2, height: 30, width: 30), zero).map { $0 - $1 }, gradient)
            let b = Self.dot(image, warp.adjoint(gradient[...], channels: 2, height: 30, width: 30))
            #expect(abs(a - b) < 1e-3 * max(1, abs(a)))
        }
    }

    /// Lucent's chain at a 64-pixel side: jitter up to 2 then 1 pixel, scales 0.9 to 1.1 in steps
    /// of 0.02, whole degrees up to ±10 (0 most often); what the warp reads outside the image is
    /// Lucent's grey padding, not the image's edge.
    @Test func randomTransformsKeepLucentsRangesAndPadWithGrey() {
        var generator = SeededGenerator(seed: 11)
        var zeros = 0
        for _ in 0..<400 {
            let t = RandomTransform.random(side: 64, using: &generator)
            #expect(abs(t.shiftY) <= 2 && abs(t.shiftX) <= 2 && abs(t.lateShiftY) <= 1 && abs(t.lateShiftX) <= 1)
            #expect(t.scale >= 0.9 - 1e-6 && t.scale <= 1.1 + 1e-6 && abs((t.scale - 1) * 50 - ((t.scale - 1) * 50).rounded()) < 1e-3)
            let degrees = t.angle * 180 / .pi
            #expect(abs(degrees) <= 10 + 1e-4 && abs(degrees - degrees.rounded()) < 1e-3)
            if t.angle == 0 { zeros += 1 }
        }
        #expect(zeros > 400 / 21 * 3, "0 is drawn 6 times in 26: \(zeros)")
        let shifted = RandomTransform(shiftY: 0, shiftX: 3).apply([Float](repeating: 1, count: 64), channels: 1, height: 8, width: 8)
        #expect((0..<8).allSatisfy { row in shifted[row * 8] == RandomTransform.background && shifted[row * 8 + 7] == 1 })
    }

    /// The RGB image's gradient (sigmoid, colour mixing, inverse DFT) against central differences.
    @Test func parametrisedImageGradientMatchesFiniteDifferences() {
        let image = ParametrisedImage(channels: 3, height: 5, width: 6)
        var generator = SeededGenerator(seed: 7)
        let parameters = (0..<image.parameterCount).map { _ in generator.nextNormal() * 0.3 }
        let weights = Self.random(3 * 30, seed: 8)
        func loss(_ p: [Float]) -> Double { Self.dot(image.pixels(p[...]), weights) }
        let pixels = image.pixels(parameters[...])
        let gradient = image.parameterGradient(pixels: pixels, pixelGradient: weights[...])
        for index in stride(from: 0, to: parameters.count, by: 7) {
            var plus = parameters, minus = parameters
            plus[index] += 1e-2
            minus[index] -= 1e-2
            let numeric = (loss(plus) - loss(minus)) / 2e-2
            #expect(abs(numeric - Double(gradient[index])) < 2e-3 + 1e-2 * abs(numeric), "parameter \(index)")
        }
        #expect(pixels.allSatisfy { $0 > 0 && $0 < 1 })
    }
}
