import LensTensor

/// What a method has shown on one model, computed once per method and model and kept beside
/// the model, so that a badge costs nothing to show.
public struct MethodTrust: Codable, Sendable, Equatable {
    public var method: AttributionMethod
    public var randomisation: RandomisationVerdict?
    /// The headline curves: insertion into a blurred copy, and deletion to the same baseline.
    public var baseline: AttributionSettings.Baseline?
    public var deletion: AreaAgainstRandom?
    public var insertion: AreaAgainstRandom?

    /// One entry per method found in either report.
    public static func summarise(randomisation: ModelRandomisationReport?, faithfulness: FaithfulnessReport?) -> [MethodTrust] {
        let methods = (randomisation?.methods.map(\.method) ?? []) + (faithfulness?.methods.map(\.method) ?? [])
        var seen = Set<AttributionMethod>()
        return methods.filter { seen.insert($0).inserted }.map { method in
            let curves = faithfulness?.method(method)?.baselines
            let chosen = curves?.first { $0.baseline == TrustSettings.headlineBaseline } ?? curves?.first
            return MethodTrust(method: method, randomisation: randomisation?.method(method)?.verdict,
                               baseline: chosen?.baseline,
                               deletion: chosen.flatMap { AreaAgainstRandom($0.deletion) },
                               insertion: chosen.flatMap { AreaAgainstRandom($0.insertion) })
        }
    }
}

/// A curve's mean area beside the random order's and the brightness order's.
public struct AreaAgainstRandom: Codable, Sendable, Equatable {
    public var map: Double
    public var random: Double
    public var brightness: Double?
    public var shareBeatingRandom: Double?

    init?(_ comparison: CurveComparison) {
        guard let map = comparison.map.auc?.mean, let random = comparison.random.auc?.mean else { return nil }
        self.map = map
        self.random = random
        self.brightness = comparison.brightness.auc?.mean
        self.shareBeatingRandom = comparison.shareBeatingRandom
    }
}

/// The badge on one map: its method's record on this model, IG's convergence delta for this
/// image where the method gives one, and whether the map itself can be drawn (`MapCheck`).
public struct TrustBadge: Codable, Sendable, Equatable {
    public var method: AttributionMethod
    public var trust: MethodTrust?
    public var convergenceDelta: Float?
    public var check: MapCheck

    /// The badge of item `item` of `result`, with the kept per-method record `trust` (if any).
    public init(result: AttributionResult, item: Int, trust: [MethodTrust]) {
        let items = result.maps.shape.first ?? 0
        let size = items > 0 ? result.maps.count / items : 0
        let inRange = (0..<items).contains(item)
        method = result.method
        self.trust = trust.first { $0.method == result.method }
        convergenceDelta = inRange ? result.convergenceDelta.flatMap { $0.indices.contains(item) ? $0[item] : nil } : nil
        check = inRange ? MapCheck(result.maps.scalars[(item * size)..<((item + 1) * size)]) : MapCheck([Float]())
    }

    /// Whether the map may be drawn as if fine.
    public var isDrawable: Bool { check.isHealthy }
}
