/// How alike two sets of maps of the same images are: per image, Spearman's rank correlation and
/// SSIM of their pixel magnitudes (`PixelMagnitudes`), summarised over the images.
///
/// A pair where either map is constant (an all-zero Grad-CAM) has no rank correlation, and one
/// with a NaN or infinity has no figure at all: such pairs are counted and left out of both means,
/// so a mean is never a NaN.
public struct MapAgreement: Codable, Sendable, Equatable {
    public var spearman: Spread?
    public var ssim: Spread?
    /// Image pairs compared (both maps finite and not constant).
    public var compared: Int
    /// Pairs left out because a map was constant.
    public var constantMaps: Int
    /// Pairs left out because a map held a NaN or an infinity.
    public var unhealthyMaps: Int

    /// Compares `reference[i]` with `other[i]`, magnitudes of `height` x `width` maps.
    public init(_ reference: [[Float]], _ other: [[Float]], height: Int, width: Int) {
        var correlations: [Double] = [], similarities: [Double] = []
        var constant = 0, unhealthy = 0
        for (a, b) in zip(reference, other) {
            let checks = [MapCheck(a), MapCheck(b)]
            if checks.contains(where: { $0.nanCount > 0 || $0.infiniteCount > 0 }) { unhealthy += 1; continue }
            guard !checks.contains(where: \.isConstant), let rho = RankCorrelation.spearman(a, b) else { constant += 1; continue }
            correlations.append(rho)
            similarities.append(StructuralSimilarity.ssim(a, b, height: height, width: width))
        }
        spearman = Spread(correlations)
        ssim = Spread(similarities)
        compared = correlations.count
        constantMaps = constant
        unhealthyMaps = unhealthy
    }
}
