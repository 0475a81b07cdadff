import Foundation
import LensExplain
import LensTensor
import Testing

/// The figures the trust checks are built from, against independent references.
@Suite struct TrustStatisticsTests {
    @Test func spearmanMatchesSciPyWithTies() throws {
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic
        let rho = try #require(RankCorrelation.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]))
        #expect(abs(rho - 0.8207826816681233) < 1e-12)
        #expect(RankCorrelation.spearman([1, 2, 3], [3, 2, 1]) == -1)
        #expect(RankCorrelation.spearman([1, 2, 3], [2, 2, 2]) == nil, "a constant side has no ranking")
        #expect(RankCorrelation.spearman([1, 2], [1, 2, 3]) == nil)
    }

    @Test func ssimMatchesAnIndependentTwoDimensionalComputation() {
        let a = (0..<256).map { Float(($0 * 37) % 101) / 101 }
        let b = (0..<256).map { Float(($0 * 53 + 7) % 97) / 97 }
        // numpy + scipy.signal.convolve2d(mode="valid") with the 11x11 outer product of the σ 1.5
        // Gaussian, on both maps divided by their max: -0.10893152215494359.
        #expect(abs(StructuralSimilarity.ssim(a, b, height: 16, width: 16) - -0.10893152215494359) < 1e-6)
        #expect(abs(StructuralSimilarity.ssim(a, a, height: 16, width: 16) - 1) < 1e-9)
        // Scale does not matter: each map is divided by its own max.
        #expect(abs(StructuralSimilarity.ssim(a, a.map { $0 * 7 }, height: 16, width: 16) - 1) < 1e-9)
        // Maps smaller than the window still get a figure.
        #expect(StructuralSimilarity.ssim([1, 0, 0, 1], [1, 0, 0, 1], height: 2, width: 2).isFinite)
    }

    @Test func spreadGivesNumPyQuartilesAndSampleStd() throws {
        let spread = try #require(Spread([10, 1, 4, 2, 3]))
        #expect(spread.count == 5)
        #expect(spread.mean == 4)
        #expect(abs(spread.std - 3.5355339059327378) < 1e-12)
        #expect([spread.min, spread.lowerQuartile, spread.median, spread.upperQuartile, spread.max] == [1, 2, 3, 4, 10])
        #expect(Spread([]) == nil)
        #expect(Spread([2])?.std == 0)
    }

    @Test func mapCheckFlagsNaNInfinityAndConstantMaps() {
        #expect(MapCheck([0, 1, 2] as [Float]).isHealthy)
        #expect(MapCheck([0, 0, 0] as [Float]).problems == [.constant])
        #expect(MapCheck([1, .nan, 2] as [Float]).problems == [.nan])
        #expect(MapCheck([.nan, .nan] as [Float]).problems == [.nan], "all NaN is reported as NaN, not as constant")
        #expect(MapCheck([1, .infinity, -.infinity] as [Float]).problems == [.infinite])
        #expect(MapCheck([1, .infinity, -.infinity] as [Float]).infiniteCount == 2)
        #expect(MapCheck([0, 0] as [Float]).summary.contains("every value equal"))
        // Printed anywhere, a check is words, never `MapCheck(nanCount: 0, ...)`.
        #expect("\(MapCheck([0, 0] as [Float]))" == "every value equal: nothing to show")
        #expect("\(MapCheck([1, .nan, .infinity] as [Float]))" == "1 NaN value, 1 infinite value")
        let maps = Tensor(shape: [2, 3], scalars: [1, 2, 3, 5, 5, 5])
        #expect(MapCheck.items(of: maps).map(\.isHealthy) == [true, false])
    }

    @Test func pixelMagnitudesTakeTheLargestAbsoluteValueOverChannels() {
        // One item, 2 channels of 2x1.
        let maps = Tensor(shape: [1, 2, 2, 1], scalars: [-3, 1, 2, -4])
        #expect(PixelMagnitudes.of(maps, inputShape: [2, 2, 1]) == [[3, 4]])
    }

    @Test func agreementLeavesConstantAndBrokenMapsOutOfTheMean() throws {
        let ramp: [Float] = (0..<16).map(Float.init)
        let agreement = MapAgreement([ramp, ramp, [Float](repeating: 0, count: 16), ramp],
                                     [Array(ramp.reversed()), ramp, ramp, ramp.map { $0 == 3 ? .nan : $0 }], height: 4, width: 4)
        #expect(agreement.compared == 2)
        #expect(agreement.constantMaps == 1)
        #expect(agreement.unhealthyMaps == 1)
        let spearman = try #require(agreement.spearman)
        #expect(spearman.mean == 0, "the mean of -1 and 1")
        #expect(spearman.mean.isFinite && agreement.ssim?.mean.isFinite == true)
    }

    @Test func blurKeepsFlatImagesAndSpreadsASpike() {
        let flat = Tensor(shape: [1, 1, 8, 8], repeating: 0.25)
        #expect(GaussianBlur.apply(flat, sigma: 2).scalars.allSatisfy { abs($0 - 0.25) < 1e-6 })
        var spike = Tensor(shape: [1, 1, 21, 21])
        spike.scalars[10 * 21 + 10] = 1
        let blurred = GaussianBlur.apply(spike, sigma: 1.5)
        #expect(abs(blurred.scalars.reduce(0, +) - 1) < 1e-5, "an interior spike keeps its mass")
        #expect(blurred.scalars[10 * 21 + 10] < 0.1 && blurred.scalars[10 * 21 + 11] > 0.05)
        #expect(blurred.scalars[10 * 21 + 11] == blurred.scalars[10 * 21 + 9], "symmetric")
    }
}
