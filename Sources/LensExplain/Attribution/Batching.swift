import LensTensor

/// Calls `body` with consecutive ranges of at most `size` items covering 0..<count.
func forEachBatch(of count: Int, size: Int, _ body: (Range<Int>) throws -> Void) rethrows {
    var start = 0
    while start < count {
        let end = min(start + max(size, 1), count)
        try body(start..<end)
        start = end
    }
}

extension Tensor {
    /// Writes `items` (as many items as `range` counts, each of this tensor's item size) over items `range`.
    mutating func replaceItems(_ range: Range<Int>, with items: Tensor) {
        let itemSize = shape.dropFirst().reduce(1, *)
        scalars.replaceSubrange((range.lowerBound * itemSize)..<(range.upperBound * itemSize), with: items.scalars)
    }
}
