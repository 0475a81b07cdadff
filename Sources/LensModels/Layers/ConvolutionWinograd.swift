import LensKernels
import LensTensor

/// Winograd F(2x2, 3x3) (Lavin & Gray 2016) for 3x3 stride-1 convolutions of one group: per 2x2
/// output tile Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A, which over C input channels is 16 matrix products
/// M[ξ][out, T] = U[ξ][out, C] · V[ξ][C, T] (T tiles) through the GEMM: 16 multiplies per 4 outputs
/// instead of 36. The transforms are LensKernels' `conv_winograd.c`.
///
/// The input gradient of such a layer is itself a 3x3 stride-1 convolution: dx = dy ⋆ W', with W'
/// the kernels turned 180° and the channel roles swapped, and padding 2 − p on each side. So one
/// `WinogradPass` runs both directions.
struct WinogradPass: Sendable, Equatable {
    var inChannels: Int, height: Int, width: Int
    var padTop: Int, padLeft: Int
    var outChannels: Int, outHeight: Int, outWidth: Int

    var tilesY: Int { (outHeight + 1) / 2 }
    var tilesX: Int { (outWidth + 1) / 2 }
    var tiles: Int { tilesY * tilesX }
    /// Floats of one channel's zero-bordered plane.
    var planeSize: Int { (2 * tilesY + 2) * (2 * tilesX + 2) }
    /// V[16][C, T], M[16][out, T] and a plane for each core.
    var scratchSize: Int { 16 * tiles * (inChannels + outChannels) + Parallel.coreCount * planeSize }
    /// Parts of the 16 products' parallel job: one per product when they are worth more than one thread
    /// (2·16·out·C·T flops), else one part that runs all 16.
    var productParts: Int {
        Parallel.parts(forWork: 32 * Double(outChannels * inChannels * tiles), minimumPerPart: MatrixMultiply.minimumFlopsPerThread) > 1 ? 16 : 1
    }

    /// y[out, H', W'] = clamp(b + W ⋆ x) for one image x[C, H, W], with `kernels` the 16 U[ξ] packed for
    /// this pass (`WinogradKernels`). Splits each step over the cores unless it runs inside a part already.
    func run(_ image: UnsafePointer<Float>, kernels: PackedWinogradKernels, bias: UnsafePointer<Float>?,
             clamp: ClosedRange<Float>, into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let (tiles, inChannels, outChannels) = (tiles, inChannels, outChannels)
        let v = scratch, m = scratch + 16 * tiles * inChannels, planes = m + 16 * tiles * outChannels
        let planeSize = planeSize
        let parts = Parallel.parts(forWork: Double(16 * tiles * (inChannels + outChannels)), minimumPerPart: 1e5)
        // V[ξ][C, T] = Bᵀ d B for every tile's 4x4 patch d of every channel
        Parallel.run(parts: parts) { part in
            lens_winograd_input(image, Int32(inChannels), Int32(height), Int32(width), Int32(padTop), Int32(padLeft),
                                Int32(tilesY), Int32(tilesX), Int32(part * inChannels / parts),
                                Int32((part + 1) * inChannels / parts), planes + part * planeSize, v)
        }
        // M[ξ][out, T] = U[ξ][out, C] · V[ξ][C, T], U[ξ] packed once (only V[ξ] is packed here). The 16
        // products are one parallel job whose parts the cores claim product by product: one hand-off per
        // layer instead of one per product, and a core slowed by other work simply claims fewer.
        let (u, stride) = (UnsafePointer(kernels.floats), kernels.stride)
        let products = productParts
        Parallel.run(parts: products) { part in
            for xi in (16 * part / products)..<(16 * (part + 1) / products) {
                lens_sgemm_prepacked(0, 1, Int32(outChannels), Int32(tiles), Int32(inChannels), u + xi * stride,
                                     v + xi * tiles * inChannels, Int32(tiles), 0, m + xi * tiles * outChannels, Int32(tiles))
            }
        }
        // y = clamp(Aᵀ m A + b) per tile and output channel
        Parallel.run(parts: parts) { part in
            lens_winograd_output(m, Int32(outChannels), Int32(tilesY), Int32(tilesX), Int32(outHeight), Int32(outWidth),
                                 Int32(part * outChannels / parts), Int32((part + 1) * outChannels / parts),
                                 bias, clamp.lowerBound, clamp.upperBound, output)
        }
    }
}
extension ConvolutionGeometry {
    /// Channels on each side from which the 16 products run near the GEMM's speed and the
    /// transforms' memory passes are a small share. Below it (16 → 32 and 32 → 64 channels, the
    /// face and W5 CNNs) the products' K of 16-32 leaves the GEMM mostly packing and the layer
    /// is faster as one im2col product (docs/benchmark-log.md); ResNet's 3x3 layers have 64 or more.
    static let winogradChannelMinimum = 64

    /// 3x3, stride 1, no dilation, one group, enough channels.
    func runsWinograd(groups: Int, outChannels: Int) -> Bool {
        groups == 1 && window.kernelHeight == 3 && window.kernelWidth == 3 && usesPaddedCopy
            && channels >= Self.winogradChannelMinimum && outChannels >= Self.winogradChannelMinimum && positions > 0
    }

    func winogradForward(outChannels: Int) -> WinogradPass {
        WinogradPass(inChannels: channels, height: height, width: width, padTop: window.padTop, padLeft: window.padLeft,
                     outChannels: outChannels, outHeight: outHeight, outWidth: outWidth)
    }

    /// dx[C, H, W] = dy[out, H', W'] ⋆ W' (kernels turned 180°, padding 2 − p).
    func winogradInputGradient(outChannels: Int) -> WinogradPass {
        WinogradPass(inChannels: outChannels, height: outHeight, width: outWidth,
                     padTop: 2 - window.padTop, padLeft: 2 - window.padLeft,
                     outChannels: channels, outHeight: height, outWidth: width)
    }
}

/// The 16 U[ξ] of one pass, each packed into the GEMM kernel's panels for the pass's product shape
/// (`lens_sgemm_pack_a`), `stride` floats apart in 64-byte-aligned memory of their own (the panels may
/// be read by aligned vector loads). Never written once made, so copies of a layer share them.
final class PackedWinogradKernels: @unchecked Sendable {
    let floats: UnsafeMutablePointer<Float>
    let stride: Int

    /// U[16][rows, depth] (rows = the pass's outputs, depth = its inputs) packed for products of `columns` tiles.
    init(_ u: UnsafePointer<Float>, rows: Int, depth: Int, columns: Int) {
        let packed = Int(lens_sgemm_packed_a_floats(Int32(rows), Int32(depth), Int32(columns)))
        stride = (packed + 15) / 16 * 16   // keeps every U[ξ] 64-byte aligned
        floats = UnsafeMutableRawPointer.allocate(byteCount: max(16 * stride, 1) * MemoryLayout<Float>.size, alignment: 64)
            .bindMemory(to: Float.self, capacity: 16 * stride)
        for xi in 0..<16 {
            lens_sgemm_pack_a(0, Int32(rows), Int32(depth), Int32(columns), u + xi * rows * depth, Int32(depth),
                              floats + xi * stride)
        }
    }

    deinit { floats.deallocate() }
}

/// The kernels transformed for Winograd (U = G g Gᵀ) and packed, for the forward pass and for the input
/// gradient, each made when first needed after the weights change. `source` shares the weights'
/// storage: while it does, any write to the weights copies them first (copy on write), so equal
/// storage means equal weights, checked without reading them.
struct WinogradKernels {
    private var source: [Float] = []
    private var forward: PackedWinogradKernels?
    private var gradient: PackedWinogradKernels?

    /// U for `weights` W[out][C][3][3] packed for `pass`: the forward pass's U[16][out, C], or the input
    /// gradient's U'[16][C, out] (the kernels turned 180°).
    mutating func packed(_ weights: [Float], for pass: WinogradPass, forGradient: Bool) -> PackedWinogradKernels {
        let same = source.withUnsafeBufferPointer { a in
            weights.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count && a.count > 0 }
        }
        if !same { self = WinogradKernels(source: weights) }
        if let made = forGradient ? gradient : forward { return made }
        // The layer's out and C: the gradient pass runs from the layer's outputs to its inputs.
        let (outChannels, channels) = forGradient ? (pass.inChannels, pass.outChannels) : (pass.outChannels, pass.inChannels)
        var u = [Float](repeating: 0, count: 16 * outChannels * channels)
        let made = weights.withUnsafeBufferPointer { w in
            u.withUnsafeMutableBufferPointer { u in
                lens_winograd_weights(w.baseAddress!, Int32(outChannels), Int32(channels), forGradient ? 1 : 0, u.baseAddress!)
                return PackedWinogradKernels(u.baseAddress!, rows: pass.outChannels, depth: pass.inChannels, columns: pass.tiles)
            }
        }
        if forGradient { gradient = made } else { forward = made }
        return made
    }

    private init(source: [Float]) { self.source = source }
    init() {}
}
