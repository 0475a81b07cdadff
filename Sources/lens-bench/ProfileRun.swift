import LensTensor

/// `--profile ROW --repeat N`: runs one W4/W5 row's work N times, untimed, for an instruction
/// counter (`valgrind --tool=callgrind`) or a sampling profiler (`perf record -e cpu-clock`), whose
/// figures do not depend on how loaded the machine is. Two runs with different N, subtracted,
/// give one repetition's instructions without the set-up's.
struct ProfileRun {
    static let rows = ["W4-train", "W5-train", "W4-infer-bs256", "W5-infer-bs256", "W4-latency-bs1", "W5-latency-bs1"]
        + RealCNNWorkload.models.flatMap { model in RealCNNWorkload.rows.filter { $0 != "rss" }.map { "W9-\(model)-\($0)" } }

    let row: String
    let repetitions: Int

    init?(row: String, repetitions: Int) {
        guard Self.rows.contains(row), repetitions >= 0 else { return nil }
        self.row = row
        self.repetitions = repetitions
    }

    /// One training repetition is one batch; inference is one `logits` call of the row's batch.
    func run() {
        if row.hasPrefix("W9-") { return runRealCNN() }
        let parts = row.split(separator: "-")
        let workload = ConvolutionWorkload(group: String(parts[0]))
        let itemShape = [1, workload.side, workload.side]
        switch parts[1] {
        case "train":
            var net = workload.makeNetwork()
            let batch = workload.batchSize
            let warm = SyntheticData(count: batch, itemShape: itemShape, classes: workload.classes, seed: 21)
            _ = trainEpochs(&net, warm, epochs: 1, batchSize: batch)
            guard repetitions > 0 else { return }
            let data = SyntheticData(count: repetitions * batch, itemShape: itemShape, classes: workload.classes, seed: 21)
            _ = trainEpochs(&net, data, epochs: 1, batchSize: batch)
        default:
            let net = workload.makeNetwork()
            let size = parts[1] == "infer" ? 256 : 1
            let batch = SyntheticData(count: size, itemShape: itemShape, classes: workload.classes, seed: 22).images
            _ = net.logits(batch, batchSize: size)
            for _ in 0..<repetitions { _ = net.logits(batch, batchSize: size) }
        }
    }

    /// A W9 row (the ONNX model from $W9_DIR): one warm-up, then `repetitions` of the row's call.
    private func runRealCNN() {
        let model = RealCNNWorkload.models.first { row.hasPrefix("W9-\($0)-") } ?? ""
        let kind = String(row.dropFirst("W9-\(model)-".count))
        guard var network = try? RealCNNWorkload.load(model) else {
            return print("lens-bench: \(RealCNNWorkload.path(model)) could not be read")
        }
        let size = kind == "infer-bs16" ? 16 : 1
        let inputs = RealCNNWorkload.inputs(size)
        for _ in 0...repetitions {
            switch kind {
            case "gradcam": RealCNNWorkload.explain(.gradcam, &network, inputs)
            case "ig50": RealCNNWorkload.explain(.integratedGradients, &network, inputs)
            default: _ = network.logits(inputs, batchSize: size)
            }
        }
    }
}
