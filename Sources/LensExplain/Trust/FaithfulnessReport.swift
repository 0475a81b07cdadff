/// One ranking's curve, averaged over the images, and the spread of its per-image areas.
public struct Curve: Codable, Sendable, Equatable {
    /// The area under each image's curve (trapezoid, x the share of pixels in [0, 1]).
    public var auc: Spread?
    /// The mean target probability at each step (`FaithfulnessReport.fractions`).
    public var meanCurve: [Double]
}

/// A method's curve of one kind (deletion or insertion) beside the three controls.
public struct CurveComparison: Codable, Sendable, Equatable {
    public var map: Curve
    public var reversed: Curve
    public var random: Curve
    public var brightness: Curve
    /// The share of images where the map's area beats the random order's (smaller for deletion,
    /// larger for insertion).
    public var shareBeatingRandom: Double?
    /// Images compared: those whose map was finite and not constant.
    public var images: Int
    public var constantMaps: Int
    public var unhealthyMaps: Int
}

public struct BaselineFaithfulness: Codable, Sendable, Equatable {
    public var baseline: AttributionSettings.Baseline
    public var deletion: CurveComparison
    public var insertion: CurveComparison
}

public struct MethodFaithfulness: Codable, Sendable, Equatable {
    public var method: AttributionMethod
    public var notApplicable: String?
    public var baselines: [BaselineFaithfulness]

    /// Insertion into a blurred copy, the figure to quote (`TrustSettings.headlineBaseline`).
    public var headline: CurveComparison? {
        baselines.first { $0.baseline == TrustSettings.headlineBaseline }?.insertion
    }
}

/// Everything `Faithfulness.run` measured, with what it ran on.
public struct FaithfulnessReport: Codable, Sendable, Equatable {
    public var settings: TrustSettings
    /// The share of pixels removed or added at each point of every curve.
    public var fractions: [Double]
    public var imageIndices: [Int]
    public var targets: [Int]
    public var reduction = PixelMagnitudes.description
    public var blur = "Gaussian, σ in pixels as in the settings, cut at 3σ, mirrored borders"
    public var methods: [MethodFaithfulness]

    public func method(_ method: AttributionMethod) -> MethodFaithfulness? { methods.first { $0.method == method } }
}
