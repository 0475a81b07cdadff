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
}
