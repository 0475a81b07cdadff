import LensKernels
import LensTensor

/// Winograd F(m x m, 3x3) (Lavin & Gray 2016) for 3x3 stride-1 convolutions of one group: per m x m
/// output tile Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A, which over C input channels is (m + 2)² matrix products
/// M[ξ][out, T] = U[ξ][out, C] · V[ξ][C, T] (T tiles) through the GEMM. m = 2: 16 multiplies per 4
/// outputs instead of 36 (`conv_winograd.c`); m = 4: 36 per 16 outputs instead of 144 (`conv_winograd4.c`).
///
/// The input gradient of such a layer is itself a 3x3 stride-1 convolution: dx = dy ⋆ W', with W'
/// the kernels turned 180° and the channel roles swapped, and padding 2 − p on each side. So one
/// `WinogradPass` runs both directions.
struct WinogradPass: Sendable, Equatable {
    var inChannels: Int, height: Int, width: Int
    var padTop: Int, padLeft: Int
    var outChannels: Int, outHeight: Int, outWidth: Int
    /// m: 2 or 4 outputs a side per tile.
    var tileSize = 2
    /// Images whose tiles run side by side through one set of products (`ConvolutionGeometry.winogradGroup`):
    /// ResNet's 7x7 to 28x28 layers have 16-49 tiles an image, which leave much of the GEMM's 32-wide register
    /// tiles empty and read all of U[ξ] (up to 16 MB) once per image.
    var images = 1

    var tilesY: Int { (outHeight + tileSize - 1) / tileSize }
    var tilesX: Int { (outWidth + tileSize - 1) / tileSize }
    var tiles: Int { tilesY * tilesX }
    /// Columns of the products from one image to the next: its tiles, rounded up to 8 when there are several
    /// (the input transform stores runs of 8; a run's excess stays in the image's own columns).
    var columnStride: Int { images > 1 ? (tiles + 7) / 8 * 8 : tiles }
    /// The products' N: every image's columns.
    var columns: Int { images * columnStride }
    /// (m + 2)²: the transformed tile's positions ξ, one matrix product each.
    var productCount: Int { (tileSize + 2) * (tileSize + 2) }
    /// The width of the GEMM's packed B slivers when the input transform writes V[ξ] packed (`lens_sgemm_packed_b_width`),
    /// 0 when the products' N (the columns) takes the transposed layout and V[ξ] is packed per product.
    var packedWidth: Int { Int(lens_sgemm_packed_b_width(Int32(columns))) }
    /// Columns of V[ξ]: the products' columns, rounded up to whole slivers when packed.
    var vColumns: Int { packedWidth > 0 ? (columns + packedWidth - 1) / packedWidth * packedWidth : columns }
    /// Floats of one input image and one output image.
    var imageSize: Int { inChannels * height * width }
    var outputSize: Int { outChannels * outHeight * outWidth }
    /// Floats of one channel's zero-bordered plane, its rows split into m phases of tilesX + 1 (`conv_winograd_plane.h`),
    /// then its t = Bᵀ d (m + 2 rows of m phases) and t B ((m + 2)² positions), each tilesY · (tilesX + 1) floats,
    /// and t B compacted to V[ξ][T] (with the few floats the stores write and read past it). The plane's last
    /// row may spill 8 floats into t's place, written after it. The output transform reuses it for its r = Aᵀ m A
    /// (`lens_winograd_output_scratch`).
    var planeSize: Int {
        let span = tilesY * (tilesX + 1)
        let input = (tileSize * tilesY + 2) * tileSize * (tilesX + 1) + ((tileSize + 2) * tileSize + productCount) * span
            + productCount * tiles + 8
        let output = tileSize == 4 ? lens_winograd4_output_scratch(Int32(tilesY), Int32(tilesX))
            : lens_winograd_output_scratch(Int32(tilesY), Int32(tilesX))
        return max(input, output)
    }
    /// V[ξ][C, N] (64-byte aligned: packed panels are read by aligned loads), M[ξ][out, N] and a plane for each core.
    var scratchSize: Int { 16 + productCount * (vColumns * inChannels + columns * outChannels) + Parallel.coreCount * planeSize }
    /// Parts each step of `run` splits into, one per core when the pass is worth it: part p transforms its share of
    /// the input channels, then multiplies and output-transforms its own output channels (`outputRows`).
    /// The products decide (2·ξ·out·C·N flops against one thread's worth), or the transforms' memory passes where
    /// they alone are worth more parts.
    var parts: Int {
        let flops = 2 * Double(productCount * outChannels * inChannels * columns)
        return max(Parallel.parts(forWork: flops, minimumPerPart: MatrixMultiply.minimumFlopsPerThread),
                   Parallel.parts(forWork: Double(productCount * columns * (inChannels + outChannels)), minimumPerPart: 1e5))
    }

    /// y[out, H', W'] = clamp(b + W ⋆ x) for `images` images x[C, H, W] one after the other (into as many y), with
    /// `kernels` the U[ξ] packed for this pass (`WinogradKernels`). Splits each step over the cores unless it runs
    /// inside a part already. With a gate (an input gradient through the ReLU or Clip whose output `gateValues`
    /// is, one per image), y is then gated, each channel right after the output transform writes it.
    func run(_ image: UnsafePointer<Float>, kernels: PackedWeights, bias: UnsafePointer<Float>?,
             clamp: ClosedRange<Float>, into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
             gate: ClampGate? = nil, gateValues: UnsafePointer<Float>? = nil) {
        let (columns, inChannels, outChannels, count, large) = (columns, inChannels, outChannels, productCount, tileSize == 4)
        let (sliverWidth, depth, vSize) = (packedWidth, lens_sgemm_packed_b_depth(Int32(inChannels)), vColumns * inChannels)
        let v = scratch + (16 - Int(bitPattern: scratch) / MemoryLayout<Float>.size % 16) % 16
        let m = v + count * vSize, planes = m + count * columns * outChannels
        let (planeSize, images, stride) = (planeSize, images, columnStride)
        let parts = parts
        // Each core multiplies and output-transforms its own output channels, one job with no hand-off between the
        // two, so its rows of M[ξ] never leave its cache; only V[ξ] (each core transforms its share of the input
        // channels) is read by both. (Smaller chunks claimed as the cores finish read V[ξ] once per chunk: slower.)
        let rows = outputRows(parts: parts)
        // V[ξ][C, N] = Bᵀ d B for every tile's patch d of every channel of every image
        Parallel.run(parts: parts) { part in
            let transform = large ? lens_winograd4_input : lens_winograd_input
            let (first, end) = (Int32(part * inChannels / parts), Int32((part + 1) * inChannels / parts))
            guard end > first else { return }
            for n in 0..<images {
                transform(image + n * imageSize, Int32(inChannels), Int32(height), Int32(width), Int32(padTop), Int32(padLeft),
                          Int32(tilesY), Int32(tilesX), first, end, planes + part * planeSize, v,
                          n * stride, columns, Int32(sliverWidth), depth)
            }
        }
        // M[ξ][rows, N] = U[ξ][rows, C] · V[ξ][C, N], U[ξ] packed once, V[ξ] packed by the input transform or here;
        // then y = clamp(Aᵀ m A + b) for those rows, per tile, in the part's plane of scratch.
        let (u, uStride) = (kernels.first, kernels.stride)
        let (low, top) = (gate?.low ?? 0, gate?.top ?? 0), mode = gate?.mode.kernelPass ?? 0
        let gated = gate != nil ? gateValues : nil
        Parallel.run(parts: parts) { part in
            let (first, end) = (rows[part], rows[part + 1])
            guard end > first else { return }
            for xi in 0..<count {
                let (vXi, mXi) = (v + xi * vSize, m + xi * columns * outChannels)
                if sliverWidth > 0 {
                    lens_sgemm_prepacked_both_rows(Int32(outChannels), Int32(first), Int32(end - first), Int32(columns),
                                                   Int32(inChannels), u + xi * uStride, vXi, 0, mXi, Int32(columns))
                } else {
                    lens_sgemm_prepacked_rows(Int32(outChannels), Int32(first), Int32(end - first), Int32(columns),
                                              Int32(inChannels), u + xi * uStride, vXi, Int32(columns), 0, mXi, Int32(columns))
                }
            }
            let transform = large ? lens_winograd4_output : lens_winograd_output
            for n in 0..<images {
                transform(m + n * stride, Int32(outChannels), Int32(tilesY), Int32(tilesX), Int32(outHeight), Int32(outWidth),
                          Int32(first), Int32(end), bias, clamp.lowerBound, clamp.upperBound, planes + part * planeSize,
                          gated.map { $0 + n * outputSize }, low, top, mode, columns, output + n * outputSize)
            }
        }
    }

    /// The output channels of each of `parts` parts, part p's [rows[p], rows[p + 1]): whole slivers of the packed
    /// U[ξ] (`lens_sgemm_packed_a_height`), as evenly as they go.
    func outputRows(parts: Int) -> [Int] {
        let step = max(Int(lens_sgemm_packed_a_height(Int32(columns), 0)), 1), slivers = (outChannels + step - 1) / step
        return (0...parts).map { min(outChannels, slivers * $0 / max(parts, 1) * step) }
    }
}
extension ConvolutionGeometry {
    /// Channels on each side from which the 16 products run near the GEMM's speed and the
    /// transforms' memory passes are a small share. Below it (16 → 32 and 32 → 64 channels, the
    /// face and W5 CNNs) the products' K of 16-32 leaves the GEMM mostly packing and the layer
    /// is faster as one im2col product (docs/benchmark-log.md); ResNet's 3x3 layers have 64 or more.
    static let winogradChannelMinimum = 64
    /// Image sides from which a layer runs F(4x4, 3x3): 36 products over a quarter of F(2x2)'s tiles,
    /// which at 7x7 (4 tiles, most of them padding) do not pay for themselves.
    static let winogradLargeTileMinimum = 12
    /// Channels (each side) up to which F(4x4) stays within the tests' 1e-5 of the largest output: its
    /// transforms' larger coefficients (up to 8) grow the float error with the sum's length, past it
    /// at 260 channels.
    static let winogradLargeTileChannelMaximum = 128

    /// 4 (F(4x4, 3x3)) for the larger images of at most 128 channels (ResNet's 56x56 and 28x28 layers), else 2; the input gradient's pass, whose outputs are the layer's inputs, uses the same.
    func winogradTileSize(outChannels: Int) -> Int {
        let large = min(outHeight, outWidth, height, width) >= Self.winogradLargeTileMinimum
        return large && max(channels, outChannels) <= Self.winogradLargeTileChannelMaximum ? 4 : 2
    }

    /// 3x3, stride 1, no dilation, one group, enough channels.
    func runsWinograd(groups: Int, outChannels: Int) -> Bool {
        groups == 1 && window.kernelHeight == 3 && window.kernelWidth == 3 && usesPaddedCopy
            && channels >= Self.winogradChannelMinimum && outChannels >= Self.winogradChannelMinimum && positions > 0
    }

    /// Products' columns up to which a batch's images are grouped into one set of products: ResNet's 14x14 and
    /// 28x28 layers 4 images (49 tiles each: 7 register tiles of 32 columns instead of 8), its 7x7 ones 16
    /// (16 tiles: U[ξ], 16 MB a layer, read once a group instead of once an image); an image of 56x56
    /// (196 tiles) fills the register tiles alone.
    static let winogradGroupColumns = 256

    /// Images per set of products for `pass` over a batch split over `cores`: as many as fit `columnLimit` columns
    /// (at least one), in groups of equal size whose count is a multiple of the cores when there are several (6
    /// images of 14x14 on 2 cores: 3 and 3, not 4 and 2). A single group runs its steps split over the cores
    /// (`WinogradPass.run`), several run a core each.
    static func winogradGroup(_ pass: WinogradPass, batch: Int, cores: Int, columnLimit: Int = winogradGroupColumns) -> Int {
        var grouped = pass
        grouped.images = 2
        let largest = max(1, min(batch, columnLimit / max(grouped.columnStride, 1)))
        var count = (batch + largest - 1) / largest
        if count > 1 { count = (count + cores - 1) / max(cores, 1) * max(cores, 1) }
        return max(1, (batch + count - 1) / max(count, 1))
    }

    func winogradForward(outChannels: Int, tileSize: Int = 2) -> WinogradPass {
        WinogradPass(inChannels: channels, height: height, width: width, padTop: window.padTop, padLeft: window.padLeft,
                     outChannels: outChannels, outHeight: outHeight, outWidth: outWidth, tileSize: tileSize)
    }

    /// dx[C, H, W] = dy[out, H', W'] ⋆ W' (kernels turned 180°, padding 2 − p).
    func winogradInputGradient(outChannels: Int, tileSize: Int = 2) -> WinogradPass {
        WinogradPass(inChannels: outChannels, height: outHeight, width: outWidth,
                     padTop: 2 - window.padTop, padLeft: 2 - window.padLeft,
                     outChannels: channels, outHeight: height, outWidth: width, tileSize: tileSize)
    }
}

/// The kernels transformed for Winograd (U = G g Gᵀ) and packed (`PackedWeightsCache`: remade when the weights
/// change), for the forward pass and for the input gradient, each in every layout a pass asks for (an image's few
/// tiles and a group's many take different ones).
struct WinogradKernels {
    private var forward = PackedWeightsCache()
    private var gradient = PackedWeightsCache()

    /// U for `weights` W[out][C][3][3] packed for `pass`: the forward pass's U[ξ][out, C], or the input
    /// gradient's U'[ξ][C, out] (the kernels turned 180°); nil only for fewer weights than the layer has.
    mutating func packed(_ weights: [Float], for pass: WinogradPass, forGradient: Bool) -> PackedWeights? {
        // The layer's out and C: the gradient pass runs from the layer's outputs to its inputs.
        let (outChannels, channels) = forGradient ? (pass.inChannels, pass.outChannels) : (pass.outChannels, pass.inChannels)
        let shape = PackedShape(rows: pass.outChannels, depth: pass.inChannels, columns: pass.columns, count: pass.productCount)
        let transform = { (w: UnsafeBufferPointer<Float>) -> [Float] in
            guard let w = w.baseAddress, weights.count >= outChannels * channels * 9 else { return [] }
            var u = [Float](repeating: 0, count: pass.productCount * outChannels * channels)
            u.withUnsafeMutableBufferPointer { u in
                let transform = pass.tileSize == 4 ? lens_winograd4_weights : lens_winograd_weights
                transform(w, Int32(outChannels), Int32(channels), forGradient ? 1 : 0, u.baseAddress!)
            }
            return u
        }
        return forGradient ? gradient.packed(weights, as: shape, transform: transform)
            : forward.packed(weights, as: shape, transform: transform)
    }
}
