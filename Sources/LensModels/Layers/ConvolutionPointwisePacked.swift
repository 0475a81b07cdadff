import LensKernels

extension ConvolutionGeometry {
    /// A 1x1 layer's W[out, C] packed for whole-image products (`lens_sgemm_pack_a_fitted`: for MobileNetV2's
    /// 7x7 and 14x14 images the transposed layout, whose register tiles the 49 and 196 positions fill better).
    func pointwisePacking(outChannels: Int) -> PackedShape {
        PackedShape(rows: outChannels, depth: channels, columns: positions, layout: .fitted)
    }

    /// y[rows of part `part` of `parts`, all positions] = clamp(b + W · x) for one image, W packed
    /// (`pointwisePacking`): the GEMM splits the rows or positions on its register tiles and adds the
    /// bias and clamp as it stores the transposed tiles.
    func pointwise(_ image: UnsafePointer<Float>, packed: PackedWeights, bias: UnsafePointer<Float>?,
                   part: Int, of parts: Int, into y: UnsafeMutablePointer<Float>, clamp: ClosedRange<Float>) {
        lens_sgemm_prepacked_bias_clamp(Int32(part), Int32(parts), Int32(packed.shape.rows), Int32(positions), Int32(channels),
                                        packed.first, image, Int32(positions), bias, clamp.lowerBound, clamp.upperBound,
                                        y, Int32(positions))
    }
}
