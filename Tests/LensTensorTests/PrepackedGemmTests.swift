import LensKernels
import Testing
@testable import LensTensor

/// `lens_sgemm_pack_a` + `lens_sgemm_prepacked` (a constant A packed once, as Winograd's kernels are)
/// against the plain triple loop: shapes crossing the KC (256) and MC (112-144) blocks and every tile
/// tail, N below the register tile (the transposed layout) and above, A stored either way, beta 0 (C not
/// read) and not, split into parts along N and along M.
@Suite struct PrepackedGemmTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (8, 32, 16), (7, 33, 257), (150, 49, 300), (290, 16, 520), (64, 784, 64), (13, 5, 3), (512, 16, 40),
        (40, 12, 300), (33, 31, 9),
        // Fitted, the transposed layout past NR (N filling 8- or 14-row tiles better than 32-wide ones):
        (100, 196, 300), (160, 49, 290), (45, 200, 20), (37, 13, 17),
    ]

    private func random(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    @Test(arguments: [1, 2, 3, 5])
    func matchesThePlainProduct(parts: Int) {
        var seed: UInt64 = 40
        for shape in Self.shapes {
            for transposeA in [false, true] {
                for beta: Float in [0, 1.5] {
                    seed += 1
                    let (m, n, k) = shape
                    let lda = (transposeA ? m : k) + 3, ldb = n + 5, ldc = n + 2
                    let a = random(lda * (transposeA ? k : m), seed: seed), b = random(ldb * k, seed: seed + 100)
                    let sentinel: Float = 12345
                    // C's padding columns hold a sentinel that no part may touch; beta 0 must not read C (NaN).
                    var start = beta == 0 ? [Float](repeating: .nan, count: ldc * m) : random(ldc * m, seed: seed + 200)
                    for i in 0..<m { for j in n..<ldc { start[i * ldc + j] = sentinel } }
                    var expected = start
                    MatrixMultiply.referenceGemm(transposeA: transposeA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                                 beta: beta, c: &expected, ldc: ldc)
                    // 64-byte aligned, as the header asks; NaN wherever packing would leave a float unwritten.
                    let count = Int(lens_sgemm_packed_a_floats(Int32(m), Int32(k), Int32(n)))
                    #expect(count >= m * k)
                    let packed = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
                        .bindMemory(to: Float.self, capacity: count)
                    defer { packed.deallocate() }
                    packed.initialize(repeating: .nan, count: count)
                    lens_sgemm_pack_a(transposeA ? 1 : 0, Int32(m), Int32(k), Int32(n), a, Int32(lda), packed)
                    var actual = start
                    for part in 0..<parts {
                        lens_sgemm_prepacked(Int32(part), Int32(parts), Int32(m), Int32(n), Int32(k), packed, b, Int32(ldb),
                                             beta, &actual, Int32(ldc))
                    }
                    let what = "\(m)x\(n)x\(k) transposeA \(transposeA) beta \(beta), \(parts) parts"
                    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst <= 2e-6 * Float(k + 2) * (1 + beta), "\(what): largest difference \(worst)")
                    #expect(!actual.contains { $0.isNaN }, "\(what): NaN")
                }
            }
        }
    }

    /// `lens_sgemm_prepacked_bias_clamp`: the product, then clamp(c + bias[row]) on every part's share, as
    /// the product followed by `lens_bias_clamp_rows`; C's padding columns untouched, C never read.
    @Test(arguments: [1, 2, 3])
    func biasAndClampFollowTheProduct(parts: Int) {
        var seed: UInt64 = 900
        for shape in Self.shapes {
            for withBias in [false, true] {
                seed += 1
                let (m, n, k) = shape
                let ldb = n + 5, ldc = n + 2
                let a = random(k * m, seed: seed), b = random(ldb * k, seed: seed + 100), bias = random(m, seed: seed + 300)
                let (low, high): (Float, Float) = (-0.25, 0.5)
                let sentinel: Float = 12345
                var start = [Float](repeating: .nan, count: ldc * m)
                for i in 0..<m { for j in n..<ldc { start[i * ldc + j] = sentinel } }
                var expected = start
                MatrixMultiply.referenceGemm(transposeA: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: ldb,
                                             beta: 0, c: &expected, ldc: ldc)
                for i in 0..<m {
                    for j in 0..<n { expected[i * ldc + j] = min(high, max(low, expected[i * ldc + j] + (withBias ? bias[i] : 0))) }
                }
                let count = Int(lens_sgemm_packed_a_floats_fitted(Int32(m), Int32(k), Int32(n)))
                let packed = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
                    .bindMemory(to: Float.self, capacity: count)
                defer { packed.deallocate() }
                lens_sgemm_pack_a_fitted(Int32(m), Int32(k), Int32(n), a, Int32(k), packed)
                var actual = start
                bias.withUnsafeBufferPointer { bias in
                    for part in 0..<parts {
                        lens_sgemm_prepacked_bias_clamp(Int32(part), Int32(parts), Int32(m), Int32(n), Int32(k), packed, b, Int32(ldb),
                                                        withBias ? bias.baseAddress : nil, low, high, &actual, Int32(ldc))
                    }
                }
                let what = "\(m)x\(n)x\(k) bias \(withBias), \(parts) parts"
                let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 2e-6 * Float(k + 2), "\(what): largest difference \(worst)")
                #expect(!actual.contains { $0.isNaN }, "\(what): NaN")
            }
        }
    }

    /// `lens_sgemm_prepacked_rows` and `lens_sgemm_prepacked_both_rows` (each thread its own output channels of a
    /// Winograd product): the rows of every part, cut on whole slivers, give the whole product bit for bit, both
    /// layouts (N below and above the register tile), K past one block; a start off the slivers computes nothing.
    @Test func rowRangesMakeTheWholeProduct() {
        var seed: UInt64 = 900
        for (m, n, k) in [(512, 16, 40), (150, 49, 300), (64, 224, 64), (40, 64, 290), (13, 33, 9), (290, 16, 520)] {
            seed += 1
            let a = random(m * k, seed: seed), b = random(k * n, seed: seed + 1)
            let count = Int(lens_sgemm_packed_a_floats(Int32(m), Int32(k), Int32(n)))
            let packed = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
            defer { packed.deallocate() }
            lens_sgemm_pack_a(0, Int32(m), Int32(k), Int32(n), a, Int32(k), packed)
            var whole = [Float](repeating: .nan, count: m * n)
            lens_sgemm_prepacked(0, 1, Int32(m), Int32(n), Int32(k), packed, b, Int32(n), 0, &whole, Int32(n))
            let step = Int(lens_sgemm_packed_a_height(Int32(n), 0))
            #expect(step > 0)
            for parts in [1, 2, 3] {
                let slivers = (m + step - 1) / step
                let bounds = (0...parts).map { min(m, slivers * $0 / parts * step) }
                var rows = [Float](repeating: .nan, count: m * n)
                for part in 0..<parts where bounds[part + 1] > bounds[part] {
                    lens_sgemm_prepacked_rows(Int32(m), Int32(bounds[part]), Int32(bounds[part + 1] - bounds[part]), Int32(n),
                                              Int32(k), packed, b, Int32(n), 0, &rows, Int32(n))
                }
                #expect(rows == whole, "\(m)x\(n)x\(k), \(parts) parts of rows \(bounds)")
            }
            if m > step {   // a start inside a sliver: nothing written
                var untouched = [Float](repeating: 7, count: m * n)
                lens_sgemm_prepacked_rows(Int32(m), 1, Int32(m - 1), Int32(n), Int32(k), packed, b, Int32(n), 0, &untouched, Int32(n))
                #expect(untouched.allSatisfy { $0 == 7 }, "\(m)x\(n)x\(k): a start off the slivers")
            }
            // B packed by its producer (the usual layout only): slivers of `width` columns in blocks of `depth` rows.
            let width = Int(lens_sgemm_packed_b_width(Int32(n))), depth = Int(lens_sgemm_packed_b_depth(Int32(k)))
            guard width > 0 else { continue }
            let columns = (n + width - 1) / width * width
            let packedB = UnsafeMutableRawPointer.allocate(byteCount: columns * k * 4, alignment: 64).bindMemory(to: Float.self, capacity: columns * k)
            defer { packedB.deallocate() }
            packedB.initialize(repeating: 0, count: columns * k)
            for p in 0..<k {
                let block = p / depth * depth, kc = min(depth, k - block)
                for j in 0..<n { packedB[block * columns + j / width * width * kc + (p - block) * width + j % width] = b[p * n + j] }
            }
            var both = [Float](repeating: .nan, count: m * n)
            lens_sgemm_prepacked_both_rows(Int32(m), 0, Int32(m), Int32(n), Int32(k), packed, packedB, 0, &both, Int32(n))
            #expect(both == whole, "\(m)x\(n)x\(k): both packed, all rows")
            let half = (m + step - 1) / step / 2 * step
            var split = [Float](repeating: .nan, count: m * n)
            lens_sgemm_prepacked_both_rows(Int32(m), 0, Int32(half), Int32(n), Int32(k), packed, packedB, 0, &split, Int32(n))
            lens_sgemm_prepacked_both_rows(Int32(m), Int32(half), Int32(m - half), Int32(n), Int32(k), packed, packedB, 0, &split, Int32(n))
            #expect(split == whole, "\(m)x\(n)x\(k): both packed, rows split at \(half)")
        }
    }
}
