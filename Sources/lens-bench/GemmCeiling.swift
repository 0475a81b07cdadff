import LensTensor

/// The products of a W4/W5 network, for its rows' `gflops` and `of_gemm`: the floating-point work
/// per image, and the GEMM ceiling, the speed of those same products (one image's each, images
/// split over the threads, as the layers run them) measured in the same run.
struct NetworkProducts {
    /// Forward product of each learnable layer for one image: M x N x K (a convolution's output
    /// channels x positions x C·k·k; a dense layer's 1 x outputs x inputs).
    let shapes: [(m: Int, n: Int, k: Int)]

    static func of(group: String) -> NetworkProducts {
        group == "W4"
            ? NetworkProducts(shapes: [(32, 784, 25), (64, 196, 800), (1, 128, 3136), (1, 10, 128)])
            : NetworkProducts(shapes: [(16, 4096, 9), (32, 1024, 144), (64, 256, 288), (1, 128, 4096), (1, 6, 128)])
    }

    private static func flops(_ shape: (m: Int, n: Int, k: Int)) -> Double { 2 * Double(shape.m * shape.n * shape.k) }

    /// Forward FLOPs per image.
    var inferenceFlops: Double { shapes.map(Self.flops).reduce(0, +) }
    /// Training FLOPs per image: forward, the weight gradient, and the input gradient of every layer but the first.
    var trainingFlops: Double { 3 * inferenceFlops - Self.flops(shapes[0]) }

    /// GFLOP/s of the convolutions' per-image products, `images` images split over the threads,
    /// each thread running every layer's product on its images (the dense layers run batched, so
    /// they are left out of the ceiling).
    func ceilingGFLOPs(images: Int, effort: Effort) -> Double {
        let convolutions = shapes.filter { $0.m > 1 }
        var rng = SeededGenerator(seed: 3)
        let operands = convolutions.map { shape in
            ((0..<(shape.m * shape.k)).map { _ in Float.random(in: -1...1, using: &rng) },
             (0..<(shape.k * shape.n)).map { _ in Float.random(in: -1...1, using: &rng) })
        }
        let parts = Parallel.parts(forWork: 1e12, minimumPerPart: 1)
        var outputs = [Float](repeating: 0, count: parts * (convolutions.map { $0.m * $0.n }.max() ?? 0))
        let stride = outputs.count / max(parts, 1)
        let seconds = outputs.withUnsafeMutableBufferPointer { c in
            let c = c.baseAddress!
            return Measure.medianSeconds(samples: effort.samples, warmups: effort.warmups, sampleSeconds: 0) {
                Parallel.run(parts: parts) { part in
                    for _ in (part * images / parts)..<((part + 1) * images / parts) {
                        for (shape, (a, b)) in zip(convolutions, operands) {
                            MatrixMultiply.gemm(m: shape.m, n: shape.n, k: shape.k, a: a, lda: shape.k, b: b, ldb: shape.n,
                                                c: c + part * stride, ldc: shape.n, maxThreads: 1)
                        }
                    }
                }
            }
        }
        let flops = convolutions.map(Self.flops).reduce(0, +) * Double(images)
        return flops / seconds / 1e9
    }
}
