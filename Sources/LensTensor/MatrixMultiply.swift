import LensKernels

/// Row-major float32 matrix products: the heart of every dense and convolutional layer.
///
/// The C kernels (Sources/LensKernels) pack panels and run a register-blocked micro-kernel chosen
/// once per process by CPU feature; this wrapper splits large products over the cores.
public enum MatrixMultiply {
    /// Products smaller than this many floating-point operations per thread stay on one thread
    /// (about 25 µs of work). Measured with `lens-bench --only scan`: with the pool's workers awake
    /// (they spin ~200 µs after each job) two threads win from about 5·10⁵ flops; a sleeping worker
    /// costs 60-80 µs to wake on this VM, which this threshold bounds to one call in a burst.
    public static let minimumFlopsPerThread: Double = 2e6

    /// C = alpha * op(A) * op(B) + beta * C on raw row-major buffers.
    /// op(A) is m x k (A stored k x m when `transposeA`), op(B) is k x n (B stored n x k when `transposeB`).
    /// When beta is 0, C is only written. Uses up to `maxThreads` (default `Parallel.maximumThreads`)
    /// threads when the product is big enough to pay for them.
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        maxThreads: Int? = nil
    ) {
        guard m > 0, n > 0 else { return }
        checkLeadingDimensions(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        gemm(parts: parts(m: m, n: n, k: k, maxThreads: maxThreads), transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
             a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// A product with a side of at most this many rows or columns runs LensKernels' skinny kernels, which
    /// stream the other operand from memory at a fraction of the blocked kernel's flop rate.
    static let skinnySide = Int(LENS_SKINNY_MAX)
    /// How much longer a skinny product's flop takes than a blocked one's (MobileNetV2's 1280 → 1000
    /// classifier at batch 1: 13 GFLOP/s, against the ~80 `minimumFlopsPerThread` assumes; 4 is cautious).
    static let skinnyFlopCost = 4.0

    /// How many threads `gemm` splits an m x n x k product over.
    static func parts(m: Int, n: Int, k: Int, maxThreads: Int? = nil) -> Int {
        let flops = 2.0 * Double(m) * Double(n) * Double(k) * (min(m, n) <= skinnySide ? skinnyFlopCost : 1)
        let parts = Parallel.parts(forWork: flops, minimumPerPart: minimumFlopsPerThread)
        return maxThreads.map { max(1, min(parts, $0)) } ?? parts
    }

    /// `gemm` split into exactly `parts` pieces, each on its own thread.
    ///
    /// Splitting C's columns (or rows) makes every part pack all of the other operand; when K is
    /// the longest side that duplicated packing is a large share of the work, so the parts split K
    /// instead: each packs only its slices of A and B, writes a partial product, and the partials
    /// are summed into C afterwards (M·N additions).
    static func gemm(
        parts: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        splitK: Bool? = nil
    ) {
        let (ta, tb): (Int32, Int32) = (transposeA ? 1 : 0, transposeB ? 1 : 0)
        if parts <= 1 {
            lens_sgemm(ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        guard splitK ?? (k > max(m, n) && k >= 64 * parts) else {
            Parallel.run(parts: parts) { part in
                lens_sgemm_part(Int32(part), Int32(parts), ta, tb, Int32(m), Int32(n), Int32(k), alpha,
                                a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            }
            return
        }
        // Part 0 accumulates into C (with beta); the others into their own m x n partials, kept in
        // this thread's reusable scratch (no allocation per product).
        guard let scratch = lens_thread_scratch((parts - 1) * m * n) else {
            return gemm(parts: parts, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, splitK: false)
        }
        Parallel.run(parts: parts) { part in
            let k0 = k * part / parts, k1 = k * (part + 1) / parts
            let aSlice = transposeA ? a + k0 * lda : a + k0
            let bSlice = transposeB ? b + k0 : b + k0 * ldb
            let (out, ldOut, betaHere) = part == 0 ? (c, ldc, beta) : (scratch + (part - 1) * m * n, n, Float(0))
            lens_sgemm(ta, tb, Int32(m), Int32(n), Int32(k1 - k0), alpha, aSlice, Int32(lda), bSlice, Int32(ldb),
                       betaHere, out, Int32(ldOut))
        }
        for part in 1..<parts {
            lens_add_matrix(Int32(m), Int32(n), scratch + (part - 1) * m * n, Int32(n), c, Int32(ldc))
        }
    }

    /// The plain triple loop (double accumulation) that fast paths are tested against.
    public static func referenceGemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        lens_sgemm_reference(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                             a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The kernel `gemm` runs on this CPU ("avx512", "avx2-fma" or "portable").
    public static var kernelName: String { String(cString: lens_sgemm_kernel_name()) }

    /// Every compiled kernel, whether or not this CPU can run it.
    public static var kernels: [GemmKernel] {
        (0..<lens_sgemm_kernel_count()).map {
            GemmKernel(index: $0, name: String(cString: lens_sgemm_kernel_name_at($0)),
                       isAvailable: lens_sgemm_kernel_available($0) != 0)
        }
    }

    /// `gemm` forced onto one kernel, single-threaded (tests and benchmarks compare the paths).
    /// Returns false, leaving C untouched, when this CPU cannot run `kernel`.
    @discardableResult
    public static func gemm(
        using kernel: GemmKernel,
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Bool {
        checkLeadingDimensions(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        return lens_sgemm_with_kernel(kernel.index, transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k),
                                      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc)) == 0
    }

    /// op(A) · op(B) for rank-2 tensors.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matmul inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        var c = Tensor(shape: [m, n])
        guard m > 0, n > 0 else { return c }
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                c.scalars.withUnsafeMutableBufferPointer { pc in
                    // A zero-sized operand has no storage; any valid address serves, nothing is read.
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                         a: pa.baseAddress ?? UnsafePointer(pc.baseAddress!), lda: max(a.shape[1], 1),
                         b: pb.baseAddress ?? UnsafePointer(pc.baseAddress!), ldb: max(b.shape[1], 1),
                         c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// Leading dimensions shorter than a row are a programmer error that would read out of bounds.
    private static func checkLeadingDimensions(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                               lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transposeA ? m : k), "gemm: lda \(lda) is shorter than a row of A")
        precondition(ldb >= max(1, transposeB ? k : n), "gemm: ldb \(ldb) is shorter than a row of B")
        precondition(ldc >= max(1, n), "gemm: ldc \(ldc) is shorter than a row of C")
        precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max), "gemm: size beyond Int32")
    }
}

/// One compiled matrix-multiply kernel (see `MatrixMultiply.kernels`).
public struct GemmKernel: Sendable, Hashable, CustomStringConvertible {
    let index: Int32
    public let name: String
    /// Whether this CPU can run it.
    public let isAvailable: Bool
    public var description: String { name }
}
