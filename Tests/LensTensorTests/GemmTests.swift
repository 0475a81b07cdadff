import Foundation
import Testing
@testable import LensTensor

/// A gemm problem with padded leading dimensions, random operands and a sentinel in C's padding.
private struct GemmCase: CustomStringConvertible {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let lda: Int, ldb: Int, ldc: Int
    let a: [Float], b: [Float], c: [Float]
    static let padding: Float = 12345
    static let guardCount = 64

    init(_ transposeA: Bool, _ transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, beta: Float, seed: UInt64) {
        self.transposeA = transposeA; self.transposeB = transposeB
        self.m = m; self.n = n; self.k = k; self.alpha = alpha; self.beta = beta
        lda = (transposeA ? m : k) + 3
        ldb = (transposeB ? k : n) + 5
        ldc = n + 2
        var rng = SeededGenerator(seed: seed)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
        a = random(lda * (transposeA ? k : m))
        b = random(ldb * (transposeB ? n : k))
        // With beta == 0 C must not be read: NaN there would leak into the result.
        var c = beta == 0 ? [Float](repeating: .nan, count: ldc * m) : random(ldc * m)
        for i in 0..<m { for j in n..<ldc { c[i * ldc + j] = Self.padding } }
        // Sentinels past the last row catch a kernel writing beyond C.
        self.c = c + [Float](repeating: Self.padding, count: Self.guardCount)
    }

    var description: String {
        "\(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B") m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta)"
    }

    /// Float error grows with the length of each dot product.
    var tolerance: Float { 2e-6 * Float(k + 2) * max(1, abs(alpha)) + 2e-6 * abs(beta) }

    func reference() -> [Float] {
        var out = c
        MatrixMultiply.referenceGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &out, ldc: ldc)
        return out
    }

    /// Largest difference from the reference, or infinity when C's padding was touched.
    func maxError(_ result: [Float]) -> Float {
        let expected = reference()
        guard result[(ldc * m)...].allSatisfy({ $0 == Self.padding }) else { return .infinity }
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let index = i * ldc + j
                if j >= n {
                    if result[index] != Self.padding { return .infinity }
                    continue
                }
                let difference = abs(result[index] - expected[index])
                if !(difference <= worst) { worst = difference.isNaN ? .infinity : difference }
            }
        }
        return worst
    }
}

/// Odd shapes: single elements, tails of every tile size, and sizes crossing the KC (256), MC
/// (112-144) and NC (4080-4096) cache blocks.
private let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (7, 33, 257), (33, 7, 1), (257, 33, 7), (33, 257, 33), (1, 257, 7), (7, 1, 33),
    (15, 17, 300), (150, 40, 520), (29, 4100, 3), (14, 32, 16), (6, 16, 4),
    // A side of at most 8 (the skinny kernels): logits, their weight gradient, batch-1 inference.
    (64, 6, 300), (6, 300, 64), (3, 1000, 65), (100, 8, 33), (8, 45, 19), (2, 9, 1), (9, 2, 70),
]
private let scalings: [(alpha: Float, beta: Float)] = [(1, 0), (0.5, -1.5), (-2, 1), (0, 0.25)]

private func cases() -> [GemmCase] {
    var all = [GemmCase]()
    var seed: UInt64 = 1
    for shape in shapes {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let scaling = scalings[Int(seed) % scalings.count]
                all.append(GemmCase(transposeA, transposeB, m: shape.m, n: shape.n, k: shape.k,
                                    alpha: scaling.alpha, beta: scaling.beta, seed: seed))
                seed += 1
            }
        }
    }
    return all
}

@Test(arguments: MatrixMultiply.kernels.filter(\.isAvailable))
func everyKernelMatchesReference(kernel: GemmKernel) {
    for problem in cases() {
        var c = problem.c
        let ran = MatrixMultiply.gemm(using: kernel, transposeA: problem.transposeA, transposeB: problem.transposeB,
                                      m: problem.m, n: problem.n, k: problem.k, alpha: problem.alpha,
                                      a: problem.a, lda: problem.lda, b: problem.b, ldb: problem.ldb,
                                      beta: problem.beta, c: &c, ldc: problem.ldc)
        #expect(ran)
        let error = problem.maxError(c)
        #expect(error <= problem.tolerance, "\(kernel) \(problem): error \(error)")
    }
}

@Test func theChosenKernelIsCompiledAndRunsHere() {
    let chosen = MatrixMultiply.kernels.first { $0.name == MatrixMultiply.kernelName }
    #expect(chosen?.isAvailable == true)
    #expect(MatrixMultiply.kernels.contains { $0.name == "portable" && $0.isAvailable })
}

@Test func unavailableKernelLeavesResultUntouched() {
    // Kernels this CPU lacks, and always one index past the last (on a CPU that runs every
    // kernel that is the only case, so the test never passes by checking nothing).
    let beyond = GemmKernel(index: Int32(MatrixMultiply.kernels.count), name: "none", isAvailable: false)
    let missing = MatrixMultiply.kernels.filter { !$0.isAvailable } + [beyond]
    for kernel in missing {
        var c: [Float] = [7]
        let ran = MatrixMultiply.gemm(using: kernel, m: 1, n: 1, k: 1, a: [2], lda: 1, b: [3], ldb: 1, c: &c, ldc: 1)
        #expect(!ran, "\(kernel)")
        #expect(c == [7], "\(kernel)")
    }
}

@Test(arguments: [2, 3, 5])
func splitProductsMatchReference(parts: Int) {
    // Wide (split along N), tall and narrow (split along M), and too small to give every part a tile.
    let problems = [
        GemmCase(false, true, m: 37, n: 301, k: 90, alpha: 1, beta: 0, seed: 91),
        GemmCase(true, false, m: 401, n: 20, k: 45, alpha: 0.5, beta: 2, seed: 92),
        GemmCase(false, false, m: 5, n: 9, k: 3, alpha: 1, beta: 1, seed: 93),
        // One row (a classifier at batch 1, the skinny kernels), split along N or K.
        GemmCase(false, true, m: 1, n: 301, k: 257, alpha: 1, beta: 1, seed: 94),
    ]
    // Each also split along K: partial products summed into C.
    for problem in problems {
        for splitK in [false, true] {
            var c = problem.c
            c.withUnsafeMutableBufferPointer { pc in
                MatrixMultiply.gemm(parts: parts, transposeA: problem.transposeA, transposeB: problem.transposeB,
                                    m: problem.m, n: problem.n, k: problem.k, alpha: problem.alpha,
                                    a: problem.a, lda: problem.lda, b: problem.b, ldb: problem.ldb,
                                    beta: problem.beta, c: pc.baseAddress!, ldc: problem.ldc, splitK: splitK)
            }
            #expect(problem.maxError(c) <= problem.tolerance, "\(parts) parts, splitK \(splitK), \(problem)")
        }
    }
}

@Test func largeProductUsesThreadsAndMatchesReference() {
    let problem = GemmCase(false, false, m: 200, n: 300, k: 260, alpha: 1, beta: 0, seed: 7)
    var c = problem.c
    // 31 MFLOP: worth every core (at most 2e6 flops per thread are kept on one).
    #expect(MatrixMultiply.parts(m: problem.m, n: problem.n, k: problem.k) == min(Parallel.coreCount, Parallel.maximumThreads))
    #expect(MatrixMultiply.parts(m: problem.m, n: problem.n, k: problem.k, maxThreads: 1) == 1)
    #expect(MatrixMultiply.parts(m: 10, n: 10, k: 10) == 1, "2000 flops stay on one thread")
    // A classifier at batch 1 (2.6 MFLOP streaming 5 MB of weights) splits; a small one does not.
    #expect(MatrixMultiply.parts(m: 1, n: 1000, k: 1280) == min(Parallel.coreCount, Parallel.maximumThreads))
    #expect(MatrixMultiply.parts(m: 1, n: 100, k: 100) == 1)
    // The pool really runs parts on other threads when it is free (it is shared with tests running
    // beside this one, so a few tries are allowed).
    #expect(poolRunsPartsElsewhere() || Parallel.coreCount == 1)
    MatrixMultiply.gemm(m: problem.m, n: problem.n, k: problem.k, a: problem.a, lda: problem.lda,
                        b: problem.b, ldb: problem.ldb, c: &c, ldc: problem.ldc)
    #expect(problem.maxError(c) <= problem.tolerance)
}

@Test func matmulHandlesTransposesAndEmptyInnerDimension() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    #expect(MatrixMultiply.matmul(a, b) == Tensor(shape: [2, 2], scalars: [58, 64, 139, 154]))
    // Aᵀ·A is 3x3; A·Aᵀ is 2x2.
    #expect(MatrixMultiply.matmul(a, a, transposeA: true).scalars == [17, 22, 27, 22, 29, 36, 27, 36, 45])
    #expect(MatrixMultiply.matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
    let empty = MatrixMultiply.matmul(Tensor(shape: [2, 0]), Tensor(shape: [0, 3]))
    #expect(empty == Tensor(shape: [2, 3]))
}

/// True when a two-part run put one part on a thread other than the caller's, within 50 tries.
private func poolRunsPartsElsewhere() -> Bool {
    final class Threads: @unchecked Sendable {
        let lock = NSLock()
        var ids = Set<UInt>()
    }
    for _ in 0..<50 {
        let threads = Threads()
        Parallel.run(parts: 2) { _ in
            usleep(2000)  // long enough that the caller cannot take both parts before a worker claims one
            #if os(Linux)
            let id = UInt(pthread_self())
            #else
            let id = UInt(bitPattern: pthread_self())
            #endif
            threads.lock.withLock { _ = threads.ids.insert(id) }
        }
        if threads.ids.count == 2 { return true }
    }
    return false
}
