import LensKernels

/// A 1x1 layer's weights W[out, C] packed once into the GEMM kernel's panels for products of `columns`
/// positions (`lens_sgemm_pack_a_fitted`: for MobileNetV2's 7x7 and 14x14 images the transposed layout, whose
/// register tiles the 49 and 196 positions fill better). Never written once made, so copies of a layer share it.
final class PackedPointwiseWeights: @unchecked Sendable {
    let floats: UnsafeMutablePointer<Float>
    let rows: Int, depth: Int, columns: Int

    init(_ w: UnsafePointer<Float>, rows: Int, depth: Int, columns: Int) {
        (self.rows, self.depth, self.columns) = (rows, depth, columns)
        let count = max(Int(lens_sgemm_packed_a_floats_fitted(Int32(rows), Int32(depth), Int32(columns))), 1)
        floats = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.size, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        lens_sgemm_pack_a_fitted(Int32(rows), Int32(depth), Int32(columns), w, Int32(depth), floats)
    }

    deinit { floats.deallocate() }
}

/// The packed weights of a 1x1 layer, made when first needed after the weights change. `source` shares the
/// weights' storage: while it does, any write to the weights copies them first (copy on write), so equal
/// storage means equal weights, checked without reading them.
struct PointwiseWeightCache {
    private var source: [Float] = []
    private var made: PackedPointwiseWeights?

    mutating func packed(_ weights: [Float], rows: Int, depth: Int, columns: Int) -> PackedPointwiseWeights? {
        let same = source.withUnsafeBufferPointer { a in
            weights.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count && a.count > 0 }
        }
        if same, let made, made.rows == rows, made.depth == depth, made.columns == columns { return made }
        guard rows > 0, depth > 0, columns > 0, weights.count >= rows * depth else { return nil }
        let packed = weights.withUnsafeBufferPointer { w in
            w.baseAddress.map { PackedPointwiseWeights($0, rows: rows, depth: depth, columns: columns) }
        }
        (source, made) = (weights, packed)
        return packed
    }
}

extension ConvolutionGeometry {
    /// y[rows of part `part` of `parts`, all positions] = clamp(b + W · x) for one image, W packed
    /// (`PackedPointwiseWeights` for `positions` columns): the GEMM splits the rows or positions on its
    /// register tiles and adds the bias and clamp as it stores the transposed tiles.
    func pointwise(_ image: UnsafePointer<Float>, packed: PackedPointwiseWeights, bias: UnsafePointer<Float>?,
                   part: Int, of parts: Int, into y: UnsafeMutablePointer<Float>, clamp: ClosedRange<Float>) {
        lens_sgemm_prepacked_bias_clamp(Int32(part), Int32(parts), Int32(packed.rows), Int32(positions), Int32(channels),
                                        packed.floats, image, Int32(positions), bias, clamp.lowerBound, clamp.upperBound,
                                        y, Int32(positions))
    }
}
