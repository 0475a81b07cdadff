/// How far apart two vectors are; smaller is always closer.
public enum DistanceMetric: String, Codable, Sendable, CaseIterable {
    /// |a − b|, computed as sqrt(max(0, |a|² + |b|² − 2a·b)).
    case euclidean
    /// 1 − cos(a, b); a zero vector has cosine 0 to everything (distance 1).
    case cosine
    /// −a·b, so that a larger dot product is closer.
    case dot
}
