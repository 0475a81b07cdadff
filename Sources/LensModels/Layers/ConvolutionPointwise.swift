import LensKernels
import LensTensor

/// The blocked 1x1 path of a convolution (stride 1, no padding, one group: MobileNet's expand and
/// project layers, 89% of its multiply-adds). The image [C, P] is its own column matrix. An image
/// whose input and output exceed half of L2 is cut into blocks of positions whose input and output
/// columns stay in L2 ((out + C)·block ≤ `pointwiseBlockFloats`); each block's product is followed
/// at once by its bias and clamp while the block is in cache, instead of one pass over the whole
/// output after the product, and the images × blocks (× row blocks, when there are fewer of them
/// than threads) are split over the cores in one hand-off, batch 1 included. Same sums as the
/// unblocked product.
extension ConvolutionGeometry {
    static let pointwiseBlockFloats = 1 << 16
    /// Images of at most this many input and output floats are one block: cutting them would pack the
    /// weights once per block for outputs that stay in cache anyway (the 7x7 and 14x14 layers).
    static let pointwiseWholeImageFloats = 1 << 18

    /// Every 1x1 stride-1 layer of one group takes the blocked path but those of few input channels
    /// (`runsDirect`) whose whole output stays in L2: there the direct kernel measured faster
    /// (docs/benchmark-log.md), and the pass of its clamp over the output stays in cache.
    func runsPointwiseBlocks(groups: Int, outChannels: Int) -> Bool {
        isPointwise && groups == 1 && !(runsDirect(groups: groups) && outChannels * positions <= 2 * Self.pointwiseWholeImageFloats)
    }

    /// Columns per block for `outChannels` outputs: all P, or a multiple of 32 (the micro-kernel's width).
    func pointwiseBlockWidth(outChannels: Int) -> Int {
        let rows = outChannels + channels
        guard rows * positions > Self.pointwiseWholeImageFloats else { return positions }
        let fit = Self.pointwiseBlockFloats / max(rows, 1) / 32 * 32
        return min(positions, max(32, fit))
    }

    /// y[rows, columns] = clamp(b[rows] + W[rows, C] · x[C, columns]) for one image (y and x whole images).
    func pointwise(_ image: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                   rows: Range<Int>, columns: Range<Int>, into y: UnsafeMutablePointer<Float>, clamp: ClosedRange<Float>) {
        let (r0, p0) = (rows.lowerBound, columns.lowerBound)
        MatrixMultiply.gemm(m: rows.count, n: columns.count, k: channels, a: weight + r0 * channels, lda: channels,
                            b: image + p0, ldb: positions, c: y + r0 * positions + p0, ldc: positions, maxThreads: 1)
        lens_bias_clamp_rows(y + r0 * positions + p0, Int32(rows.count), columns.count, positions, bias.map { $0 + r0 },
                             clamp.lowerBound, clamp.upperBound, Int32(LENS_LEVEL_CHOSEN))
    }

    /// dx[rows, columns] = Wᵀ[rows, out] · dy[out, columns] for one image (dx and dy whole images), then,
    /// with a gate, the backward of the clamp that feeds this layer on that block while it is in cache,
    /// gated on the clamp's output `gateValues` (this layer's input image): the same values as the
    /// product followed by the clamp's own backward pass.
    func pointwiseInputGradient(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, outChannels: Int,
                                rows: Range<Int>, columns: Range<Int>, into dx: UnsafeMutablePointer<Float>,
                                gate: ClampGate?, gateValues: UnsafePointer<Float>) {
        let (r0, p0) = (rows.lowerBound, columns.lowerBound)
        MatrixMultiply.gemm(transposeA: true, m: rows.count, n: columns.count, k: outChannels, a: weight + r0, lda: channels,
                            b: dy + p0, ldb: positions, c: dx + r0 * positions + p0, ldc: positions, maxThreads: 1)
        guard let gate else { return }
        for r in rows {
            let at = r * positions + p0
            lens_clamp_backward(dx + at, gateValues + at, dx + at, columns.count, gate.low, gate.top, gate.mode.kernelPass,
                                Int32(LENS_LEVEL_CHOSEN))
        }
    }
}

/// One part's share of a blocked 1x1 layer: images × column blocks × row blocks, numbered in that order.
struct PointwiseWork: Sendable {
    let images: Int, positions: Int, blockWidth: Int, outChannels: Int
    let rowBlocks: Int
    var columnBlocks: Int { (positions + blockWidth - 1) / blockWidth }
    var items: Int { images * columnBlocks * rowBlocks }

    /// Row blocks only when images × column blocks leave a thread idle (a 7x7 or 14x14 layer at batch 1),
    /// or would be shared unevenly (3 images over 2 threads: one thread waits a third of the time).
    init(images: Int, positions: Int, blockWidth: Int, outChannels: Int, parts: Int) {
        (self.images, self.positions, self.blockWidth, self.outChannels) = (images, positions, blockWidth, outChannels)
        let blocks = images * ((positions + blockWidth - 1) / blockWidth)
        let even = blocks % max(parts, 1) == 0 || blocks >= 8 * parts
        rowBlocks = even ? 1 : max(1, min(parts, outChannels / 16))
    }

    /// Item `item`'s block of rows, of `rowBlocks`.
    func rowBlock(_ item: Int) -> Int { item % rowBlocks }

    /// Item `item`'s image, rows (on multiples of 8) and columns.
    func item(_ item: Int) -> (image: Int, rows: Range<Int>, columns: Range<Int>) {
        let rowBlock = item % rowBlocks, rest = item / rowBlocks
        let column = rest % columnBlocks, image = rest / columnBlocks
        let rowStart = (outChannels * rowBlock / rowBlocks) / 8 * 8
        let rowEnd = rowBlock + 1 == rowBlocks ? outChannels : (outChannels * (rowBlock + 1) / rowBlocks) / 8 * 8
        return (image, rowStart..<rowEnd, (column * blockWidth)..<min((column + 1) * blockWidth, positions))
    }
}
