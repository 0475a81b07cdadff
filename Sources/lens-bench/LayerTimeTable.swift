import Foundation
import LensModels
import LensTensor

/// `--layer-times W9-<model>-latency-bs1|infer-bs16 [--repeat N]`: one thread's CPU time per layer of
/// the row's inference pass (activations fused as `logits` fuses them), N passes after a warm-up,
/// beside each layer's multiply-adds: which layers take the time against their arithmetic. A
/// table per layer, then one per kind (1x1, depthwise, other convolutions, the rest).
struct LayerTimeTable {
    let row: String
    let repetitions: Int

    static var rows: [String] {
        RealCNNWorkload.models.flatMap { model in ["latency-bs1", "infer-bs16"].map { "W9-\(model)-\($0)" } }
    }

    init?(row: String, repetitions: Int) {
        guard Self.rows.contains(row), repetitions >= 1 else { return nil }
        self.row = row
        self.repetitions = repetitions
    }

    /// With `threads` above 1, each layer's wall time at that many threads is printed too (`wallTable`).
    func run(threads: Int? = nil) {
        let model = RealCNNWorkload.models.first { row.hasPrefix("W9-\($0)-") } ?? ""
        guard let network = try? RealCNNWorkload.load(model) else {
            return print("lens-bench: \(RealCNNWorkload.path(model)) could not be read")
        }
        Parallel.maximumThreads = 1
        let batch = row.hasSuffix("bs16") ? 16 : 1
        let seconds = network.inferenceLayerSeconds(RealCNNWorkload.inputs(batch), repetitions: repetitions)
        if let threads, threads > 1 {
            Parallel.maximumThreads = threads
            let wall = network.inferenceLayerSeconds(RealCNNWorkload.inputs(batch), repetitions: repetitions, wall: true)
            return wallTable(network.architecture, cpu: seconds, wall: wall, threads: threads)
        }
        let architecture = network.architecture, total = seconds.reduce(0, +)
        print("\(row): one thread, CPU time per pass (mean of \(repetitions) after a warm-up), batch \(batch)")
        let work = Double(batch) * architecture.layers.indices.map { Self.multiplyAdds(architecture, $0) }.reduce(0, +)
        print("total \(Self.fixed(total * 1e3, 3)) ms, \(Self.fixed(work / 1e9, 3)) G multiply-adds per pass: \(Self.fixed(2 * work / total / 1e9, 1)) GFLOP/s")
        print("| # | layer | kind | output | M mult-adds | ms | share | GFLOP/s |")
        print("|---|---|---|---|---|---|---|---|")
        var kinds: [String: (seconds: Double, multiplyAdds: Double, count: Int)] = [:]
        for (index, spec) in architecture.layers.enumerated() {
            let work = Double(batch) * Self.multiplyAdds(architecture, index), kind = Self.kind(architecture, index)
            let time = seconds[index]
            kinds[kind, default: (0, 0, 0)].seconds += time
            kinds[kind, default: (0, 0, 0)].multiplyAdds += work
            kinds[kind, default: (0, 0, 0)].count += 1
            guard time > 0 else { continue }   // a fused activation
            let shape = architecture.layerOutputShapes[index].map(String.init).joined(separator: "x")
            print("| \(index) | \(spec.name) | \(kind) | \(shape) | \(Self.fixed(work / 1e6, 2)) | \(Self.fixed(time * 1e3, 3)) "
                  + "| \(Self.fixed(100 * time / total, 1))% | \(work > 0 ? Self.fixed(2 * work / time / 1e9, 1) : "—") |")
        }
        print("\n| kind | layers | M mult-adds | ms | share | GFLOP/s |")
        print("|---|---|---|---|---|---|")
        for (kind, sum) in kinds.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            print("| \(kind) | \(sum.count) | \(Self.fixed(sum.multiplyAdds / 1e6, 1)) | \(Self.fixed(sum.seconds * 1e3, 3)) "
                  + "| \(Self.fixed(100 * sum.seconds / total, 1))% | \(sum.multiplyAdds > 0 ? Self.fixed(2 * sum.multiplyAdds / sum.seconds / 1e9, 1) : "—") |")
        }
    }

    /// Multiply-adds of one item through layer `index` (convolutions and dense layers; 0 for the rest).
    static func multiplyAdds(_ architecture: Architecture, _ index: Int) -> Double {
        let output = architecture.layerOutputShapes[index]
        switch architecture.layers[index].operation {
        case .convolution(let c):
            return Double(output.reduce(1, *) * (c.inChannels / max(c.groups, 1)) * c.window.kernelHeight * c.window.kernelWidth)
        case .conv2d(let inChannels, _, let kernel, _, _):
            return Double(output.reduce(1, *) * inChannels * kernel * kernel)
        case .linear(let inFeatures, let outFeatures):
            return Double(inFeatures * outFeatures)
        default:
            return 0
        }
    }

    /// The group a layer's time is summed into: 1x1 (pointwise), depthwise, other convolutions, else its operation.
    static func kind(_ architecture: Architecture, _ index: Int) -> String {
        switch architecture.layers[index].operation {
        case .convolution(let c) where c.groups > 1 && c.groups == c.inChannels:
            return "conv depthwise \(c.window.kernelHeight)x\(c.window.kernelWidth)/\(c.window.strideY)"
        case .convolution(let c) where c.window.kernelHeight == 1 && c.window.kernelWidth == 1:
            return "conv 1x1"
        case .convolution(let c):
            return "conv \(c.window.kernelHeight)x\(c.window.kernelWidth)/\(c.window.strideY)"
        case let operation:
            return operation.opName
        }
    }
}

extension LayerTimeTable {
    /// Per layer: one thread's CPU time beside the wall time at `threads` threads, and their ratio: the
    /// layers the other cores do not speed up (hand-offs, uneven parts) show a ratio near or under 1.
    func wallTable(_ architecture: Architecture, cpu: [Double], wall: [Double], threads: Int) {
        let (cpuTotal, wallTotal) = (cpu.reduce(0, +), wall.reduce(0, +))
        print("\(row): per pass (mean of \(repetitions) after a warm-up): one thread's CPU \(Self.fixed(cpuTotal * 1e3, 3)) ms, "
              + "wall at \(threads) threads \(Self.fixed(wallTotal * 1e3, 3)) ms")
        print("| # | layer | kind | output | CPU 1t µs | wall \(threads)t µs | speed-up | wall share |")
        print("|---|---|---|---|---|---|---|---|")
        for (index, spec) in architecture.layers.enumerated() where cpu[index] > 0 || wall[index] > 1e-6 {
            let shape = architecture.layerOutputShapes[index].map(String.init).joined(separator: "x")
            print("| \(index) | \(spec.name) | \(Self.kind(architecture, index)) | \(shape) | \(Self.fixed(cpu[index] * 1e6, 1)) "
                  + "| \(Self.fixed(wall[index] * 1e6, 1)) | \(Self.fixed(cpu[index] / max(wall[index], 1e-12), 2)) "
                  + "| \(Self.fixed(100 * wall[index] / wallTotal, 1))% |")
        }
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
