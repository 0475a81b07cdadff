import LensKernels
import LensTensor

/// The blocked im2col path of a strided convolution's forward (ResNet's 7x7 stem, its stride-2 3x3
/// and 1x1 layers): the column matrix of a whole image (the stem's is 147 x 12544 floats, 7 MB)
/// would leave the cache between im2col writing it and the product reading it, and at batch 1
/// im2col and the bias pass ran on one core. Instead each block of output rows gets its own
/// columns (at most `columnBlockFloats`, kept in L2), its product, and its bias and clamp at once,
/// and the images × blocks (× blocks of output channels, when too few to share evenly) are split
/// over the cores in one hand-off (`PointwiseWork`). Same sums as the unblocked product.
extension ConvolutionGeometry {
    static let columnBlockFloats = 1 << 17

    /// Strides or dilations other than 1 (no zero-bordered copy, not a plain 1x1) and one group.
    func runsColumnBlocks(groups: Int) -> Bool { !usesPaddedCopy && !isPointwise && groups == 1 }

    /// Positions per block: whole output rows whose columns fit `columnBlockFloats` (at least one row).
    /// A layer with more weights than positions (ResNet's stride-2 layers past the second stage) keeps
    /// whole images, split by output channels at batch 1: position blocks would each pack all weights.
    func columnBlockWidth(outChannels: Int) -> Int {
        guard outChannels <= positions else { return positions }
        return min(outHeight, max(1, Self.columnBlockFloats / max(rows * outWidth, 1))) * outWidth
    }

    /// `columnBlockWidth` for a forward split over `parts` threads: when its blocks would not share evenly
    /// (3 blocks over 2 threads), as many more, smaller ones as make them even. The other way, blocks of
    /// output channels, has every thread build the same columns again: for MobileNet's stem (K = 27) that
    /// copy is most of the work, and two threads ran no faster than one.
    func columnBlockWidth(outChannels: Int, parts: Int) -> Int {
        let width = columnBlockWidth(outChannels: outChannels)
        guard parts > 1, outWidth > 0, width < positions else { return width }
        let blocks = (positions + width - 1) / width
        guard blocks % parts != 0, blocks < 8 * parts else { return width }
        let even = (blocks + parts - 1) / parts * parts
        return (outHeight + even - 1) / even * outWidth
    }

    /// y[rowsOut, columns] = clamp(b + W[rowsOut] · columns) for the positions `columns` (whole output
    /// rows), their column matrix built in `scratch` (rows · columns.count floats).
    func columnBlock(_ image: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                     rows rowsOut: Range<Int>, columns: Range<Int>, into y: UnsafeMutablePointer<Float>,
                     clamp: ClosedRange<Float>, scratch: UnsafeMutablePointer<Float>) {
        let outputRows = (columns.lowerBound / outWidth)..<(columns.upperBound / outWidth)
        im2col(image, into: scratch, outputRows: outputRows)
        let (r0, p0) = (rowsOut.lowerBound, columns.lowerBound)
        MatrixMultiply.gemm(m: rowsOut.count, n: columns.count, k: rows, a: weight + r0 * rows, lda: rows,
                            b: scratch, ldb: columns.count, c: y + r0 * positions + p0, ldc: positions, maxThreads: 1)
        lens_bias_clamp_rows(y + r0 * positions + p0, Int32(rowsOut.count), columns.count, positions, bias.map { $0 + r0 },
                             clamp.lowerBound, clamp.upperBound, Int32(LENS_LEVEL_CHOSEN))
    }

    /// W[out, C·kh·kw] packed for the forward's blocks of `columns` positions (bias and clamp added as the
    /// GEMM stores them), instead of by every block's product.
    func columnBlockPacking(outChannels: Int, columns: Int) -> PackedShape {
        PackedShape(rows: outChannels, depth: rows, columns: columns, layout: .fitted)
    }

    /// Wᵀ[C·kh·kw, out] packed for the input gradient's products of `columns` positions.
    func gradientPacking(outChannels: Int, columns: Int) -> PackedShape {
        PackedShape(rows: rows, depth: outChannels, columns: columns, layout: .transposed)
    }

    /// `columnBlock` with W packed (`columnBlockPacking` for these columns' count): part `part` of `parts` of
    /// the block's product, split by the GEMM on its register tiles.
    func columnBlock(_ image: UnsafePointer<Float>, packed: PackedWeights, bias: UnsafePointer<Float>?, part: Int, of parts: Int,
                     columns: Range<Int>, into y: UnsafeMutablePointer<Float>, clamp: ClosedRange<Float>,
                     scratch: UnsafeMutablePointer<Float>) {
        im2col(image, into: scratch, outputRows: (columns.lowerBound / outWidth)..<(columns.upperBound / outWidth))
        lens_sgemm_prepacked_bias_clamp(Int32(part), Int32(parts), Int32(packed.shape.rows), Int32(columns.count), Int32(rows),
                                        packed.first, scratch, Int32(columns.count), bias, clamp.lowerBound, clamp.upperBound,
                                        y + columns.lowerBound, Int32(positions))
    }

    /// columns[rows, width] = Wᵀ · dy[out, p0 ..< p0 + width] (dy's rows `positions` apart), with Wᵀ packed
    /// (`gradientPacking`) when `packed` serves `width` columns, else packing it here.
    func columnGradient(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, packed: PackedWeights?, outChannels: Int,
                        width: Int, into columns: UnsafeMutablePointer<Float>) {
        if let packed, packed.shape.isPacked(like: gradientPacking(outChannels: outChannels, columns: width)) {
            return columnGradient(dy, packed: packed, width: width, part: 0, of: 1, into: columns)
        }
        MatrixMultiply.gemm(transposeA: true, m: rows, n: width, k: outChannels, a: weight, lda: rows,
                            b: dy, ldb: positions, c: columns, ldc: width, maxThreads: 1)
    }

    /// Part `part` of `parts` of columns = Wᵀ · dy, Wᵀ packed for `width` columns (the GEMM splits on its tiles).
    func columnGradient(_ dy: UnsafePointer<Float>, packed: PackedWeights, width: Int, part: Int, of parts: Int,
                        into columns: UnsafeMutablePointer<Float>) {
        lens_sgemm_prepacked(Int32(part), Int32(parts), Int32(rows), Int32(width), Int32(packed.shape.depth), packed.first,
                             dy, Int32(positions), 0, columns, Int32(width))
    }

    /// Output rows per block of the input gradient's blocked path (`gradientColumnBlocks`), or nil where
    /// it does not pay (fewer blocks than cores in each of its two phases: the unblocked product splits
    /// over the cores instead).
    func gradientBlockRows(outChannels: Int) -> Int? {
        guard outWidth > 0, outHeight > 0 else { return nil }
        let h = max(columnBlockWidth(outChannels: outChannels) / outWidth, gradientBlockRowsApart)
        return (outHeight + h - 1) / h >= 2 * Parallel.coreCount ? h : nil
    }

    /// The fewest output rows a block may hold for blocks two apart never to write the same image rows:
    /// block [a, a + h) writes up to image row (a + h − 1)·s − top + (kh − 1)·d, block a + 2h starts at
    /// (a + 2h)·s − top.
    var gradientBlockRowsApart: Int {
        max(1, ((window.kernelHeight - 1) * window.dilationY + window.strideY - 1) / window.strideY)
    }

    /// image += col2im(Wᵀ · dy) for one image in blocks of `blockRows` output rows (at least
    /// `gradientBlockRowsApart`), each block's column gradient scattered while in cache (the stem's whole
    /// one is 7 MB): even blocks, then odd ones, split over `parts` cores, each with `partSize` floats
    /// (rows · blockRows · outWidth) of `scratch`.
    func gradientColumnBlocks(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, packed: PackedWeights?, outChannels: Int,
                              blockRows: Int, parts: Int, into image: UnsafeMutablePointer<Float>,
                              scratch: UnsafeMutablePointer<Float>, partSize: Int) {
        let blocks = (outHeight + blockRows - 1) / blockRows
        for parity in 0..<2 {
            let count = (blocks - parity + 1) / 2, used = max(1, min(parts, count))
            Parallel.run(parts: used) { part in
                for i in (part * count / used)..<((part + 1) * count / used) {
                    let first = (parity + 2 * i) * blockRows
                    let outputRows = first..<min(first + blockRows, outHeight)
                    let (p0, width) = (first * outWidth, outputRows.count * outWidth)
                    let columns = scratch + part * partSize
                    columnGradient(dy + p0, weight: weight, packed: packed, outChannels: outChannels, width: width, into: columns)
                    col2imAdding(columns, into: image, outputRows: outputRows)
                }
            }
        }
    }
}
