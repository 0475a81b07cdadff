/// Spearman's rank correlation: Pearson's correlation of the ranks, tied values sharing their
/// mean rank (as scipy.stats.spearmanr does).
public enum RankCorrelation {
    /// Nil when either side is constant (no ranking to correlate) or the lengths differ.
    public static func spearman(_ a: [Float], _ b: [Float]) -> Double? {
        guard a.count == b.count, a.count > 1 else { return nil }
        return pearson(ranks(a), ranks(b))
    }

    /// Pearson's correlation; nil when either side has no variance.
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, a.count > 1 else { return nil }
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for i in a.indices {
            let da = a[i] - meanA, db = b[i] - meanB
            covariance += da * db
            varianceA += da * da
            varianceB += db * db
        }
        guard varianceA > 0, varianceB > 0 else { return nil }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    /// 1-based ranks, ties given the mean of the ranks they span.
    static func ranks(_ values: [Float]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            let mean = Double(start + end + 1) / 2
            for position in start..<end { ranks[order[position]] = mean }
            start = end
        }
        return ranks
    }
}
