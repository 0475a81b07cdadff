import LensKernels

/// How a constant left operand op(A) [rows, depth] is packed into the GEMM kernel's panels: `count` matrices
/// one after another (a layer's W, or Winograd's 16 or 36 transformed kernels), each stored row-major
/// [rows, depth], or [depth, rows] when `layout` is `.transposed` (an input gradient's Wᵀ), for products of
/// `columns` columns. Shapes of equal sliver height (`lens_sgemm_packed_a_height`) pack to the same floats.
struct PackedShape: Equatable, Sendable {
    enum Layout: Equatable, Sendable {
        /// For `lens_sgemm_prepacked`.
        case plain
        /// A stored [depth, rows] (transA), for `lens_sgemm_prepacked`.
        case transposed
        /// For `lens_sgemm_prepacked_bias_clamp`.
        case fitted
    }

    let rows: Int, depth: Int, columns: Int, layout: Layout, count: Int

    init(rows: Int, depth: Int, columns: Int, layout: Layout = .plain, count: Int = 1) {
        (self.rows, self.depth, self.columns, self.layout, self.count) = (rows, depth, columns, layout, count)
    }

    var height: Int { Int(lens_sgemm_packed_a_height(Int32(columns), layout == .fitted ? 1 : 0)) }

    /// Whether a packing made for `other` serves products of this shape.
    func isPacked(like other: PackedShape) -> Bool {
        rows == other.rows && depth == other.depth && layout == other.layout && count == other.count && height == other.height
    }
}

/// `count` matrices packed once (`lens_sgemm_pack_a` or `_fitted`), each at a 64-byte aligned `stride`.
/// Never written once made, so copies of a layer share it.
final class PackedWeights: @unchecked Sendable {
    let shape: PackedShape
    let stride: Int
    private let floats: UnsafeMutablePointer<Float>

    /// Packs the `shape.count` matrices at `a` (each rows · depth floats).
    init(_ a: UnsafePointer<Float>, shape: PackedShape) {
        self.shape = shape
        let (m, k, n) = (Int32(shape.rows), Int32(shape.depth), Int32(shape.columns))
        let packed = Int(shape.layout == .fitted ? lens_sgemm_packed_a_floats_fitted(m, k, n) : lens_sgemm_packed_a_floats(m, k, n))
        stride = (packed + 15) / 16 * 16
        let total = max(shape.count * stride, 1)
        floats = UnsafeMutableRawPointer.allocate(byteCount: total * MemoryLayout<Float>.size, alignment: 64)
            .bindMemory(to: Float.self, capacity: total)
        for i in 0..<shape.count {
            let source = a + i * shape.rows * shape.depth
            switch shape.layout {
            case .plain: lens_sgemm_pack_a(0, m, k, n, source, k, floats + i * stride)
            case .transposed: lens_sgemm_pack_a(1, m, k, n, source, m, floats + i * stride)
            case .fitted: lens_sgemm_pack_a_fitted(m, k, n, source, k, floats + i * stride)
            }
        }
    }

    deinit { floats.deallocate() }

    /// Matrix `i`'s panels.
    subscript(i: Int) -> UnsafePointer<Float> { UnsafePointer(floats + i * stride) }
    var first: UnsafePointer<Float> { self[0] }
}

/// A layer's packed weights, each shape made when first asked for after the weights change. `source` shares
/// the weights' storage: while it does, any write to the weights copies them first (copy on write), so equal
/// storage means equal weights, checked without reading them.
struct PackedWeightsCache {
    private var source: [Float] = []
    private var made: [PackedWeights] = []

    /// `weights` packed as `shape`; `transform` (if any) turns them into the `shape.count` matrices to pack
    /// first (Winograd's U = G g Gᵀ). Nil for an empty shape or too few weights.
    mutating func packed(_ weights: [Float], as shape: PackedShape,
                         transform: ((UnsafeBufferPointer<Float>) -> [Float])? = nil) -> PackedWeights? {
        let same = source.withUnsafeBufferPointer { a in
            weights.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count && a.count > 0 }
        }
        if !same { (source, made) = (weights, []) }
        if let found = made.first(where: { shape.isPacked(like: $0.shape) }) { return found }
        guard shape.rows > 0, shape.depth > 0, shape.columns > 0, shape.count > 0 else { return nil }
        let matrices = transform.map { weights.withUnsafeBufferPointer($0) } ?? weights
        guard matrices.count >= shape.count * shape.rows * shape.depth else { return nil }
        let packed = matrices.withUnsafeBufferPointer { a in a.baseAddress.map { PackedWeights($0, shape: shape) } }
        if let packed { made.append(packed) }
        return packed
    }
}
