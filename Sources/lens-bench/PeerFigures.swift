import Foundation

/// Peer figures, keyed like the lines `../shared/bench/peers/run_all.sh` writes
/// (workload, peer, metric → median). Two sources: the reference figures in peers.json (kept in the
/// project; measured on the reference machine) and a results.jsonl measured here with --peers.
struct PeerFigures {
    private var measured: [Key: Double] = [:]
    private var reference: [Key: Double] = [:]

    private struct Key: Hashable {
        let workload: String, peer: String, metric: String
    }

    /// The figure of `peer` (a prefix: "numpy" matches "numpy-env-as-is") for `metric`, preferring
    /// one measured on this machine. When several builds of the peer were measured (numpy with the
    /// kernel OpenBLAS picked and with OPENBLAS_CORETYPE=SkylakeX), the best of them is the bar.
    func figure(workload: String, peer: String, metric: String, higherIsBetter: Bool) -> PeerFigure? {
        for (table, here) in [(measured, true), (reference, false)] {
            let values = table.filter { $0.key.workload == workload && $0.key.metric == metric && $0.key.peer.hasPrefix(peer) }.values
            if let best = higherIsBetter ? values.max() : values.min() {
                return PeerFigure(value: best, name: peer, measuredHere: here)
            }
        }
        return nil
    }

    /// The same for a metric that carries a result after a fixed start (W10's t-SNE names its trustworthiness).
    func figure(workload: String, peer: String, metricPrefix: String, higherIsBetter: Bool) -> PeerFigure? {
        for (table, here) in [(measured, true), (reference, false)] {
            let values = table.filter { $0.key.workload == workload && $0.key.metric.hasPrefix(metricPrefix) && $0.key.peer.hasPrefix(peer) }.values
            if let best = higherIsBetter ? values.max() : values.min() {
                return PeerFigure(value: best, name: peer, measuredHere: here)
            }
        }
        return nil
    }

    /// The metric names of `peer`'s rows of `workload` that start with `metricPrefix`, measured here first.
    func metrics(workload: String, peer: String, metricPrefix: String) -> [String] {
        [measured, reference].flatMap { table in
            table.keys.filter { $0.workload == workload && $0.metric.hasPrefix(metricPrefix) && $0.peer.hasPrefix(peer) }.map(\.metric).sorted()
        }
    }

    /// The peer of an inference row: onnxruntime when its figure was measured here (the bar issue
    /// 19 sets), else PyTorch.
    func inferenceFigure(workload: String, metric: String, higherIsBetter: Bool) -> PeerFigure? {
        let onnx = figure(workload: workload, peer: "onnxruntime", metric: metric, higherIsBetter: higherIsBetter)
        if let onnx, onnx.measuredHere { return onnx }
        return figure(workload: workload, peer: "torch", metric: metric, higherIsBetter: higherIsBetter)
    }

    init(referenceFile: URL, measuredFile: String?) throws(BenchError) {
        reference = try Self.loadReference(referenceFile)
        if let measuredFile { measured = try Self.loadMeasured(measuredFile) }
    }

    /// G1 metric names as g1_gemm.py writes them: "sgemm MxK@KxN tT".
    static func gemmMetric(m: Int, k: Int, n: Int, threads: Int) -> String { "sgemm \(m)x\(k)@\(k)x\(n) t\(threads)" }
    static let nearestNeighborMetrics = ["faiss": "IndexFlatL2.search k=1 10k vs 60k x784",
                                         "torch": "cdist+argmin chunk1000 10k vs 60k x784",
                                         "sklearn": "KNeighborsClassifier(brute,k=1).predict 10k vs 60k x784"]

    /// Metric names of w1_w2_w3_dense.py for each dense workload's peer row.
    static func metric(_ workload: String, _ peer: String) -> String {
        switch workload {
        case "W1": return "softmax 4096->6, 600 imgs, bs64, 100 epochs"
        case "W2": return "mlp 4096-300-6, 600 imgs, bs64, s/epoch (50 epochs)"
        default: return "mlp 784-512-256-10 training throughput"
        }
    }
    /// run_all.sh reports W4's training peak RSS on an "info" line; it is filed under this metric.
    static let trainingRSSMetric = "training process peak RSS"

    /// W7: the peer and metric w7_explain.py writes for a method (CLI name) at batch 1 or 64, and
    /// its key in peers.json; nil for methods the peer script does not run.
    static func explanationMetric(method: String, batch: Int) -> (peer: String, metric: String, key: String)? {
        let names = ["saliency": ("Saliency", "saliency"), "integrated-gradients": ("IntegratedGradients(n_steps=50)", "integrated_gradients_50"),
                     "guided-backprop": ("GuidedBackprop", "guided_backprop"), "deconvnet": ("Deconvolution", "deconvnet"),
                     "occlusion": ("Occlusion(8x8,stride4)", "occlusion_8x8_s4"), "gradcam": ("GradCAM(conv3)", "gradcam")]
        guard let (name, key) = names[method] else { return nil }
        return (method == "gradcam" ? "grad-cam" : "captum", name + (batch == 1 ? " 1 img" : " batch64"), key)
    }

    /// peers.json keys → (workload, peer, metric) of the lines run_all.sh writes.
    private static let referenceKeys: [(group: String, key: String, peer: String, metric: String)] = {
        var keys: [(String, String, String, String)] = [
            ("W1", "torch_seconds_100_epochs", "torch", metric("W1", "torch")),
            ("W2", "torch_seconds_per_epoch", "torch", metric("W2", "torch")),
            ("W3", "torch_images_per_second", "torch", metric("W3", "torch")),
            ("W4", "torch_train_peak_rss_mib", "torch", trainingRSSMetric),
            ("W10-pca", "sklearn_pca_seconds", "sklearn", "PCA 54000x784 -> 2 (fashion-mnist)"),
            ("W10-tsne", "sklearn_tsne_seconds", "sklearn", "t-SNE 10000 points (fashion-mnist), trustworthiness 0.9948"),
            ("W10-tsne", "opentsne_tsne_seconds", "openTSNE", "t-SNE 10000 points (fashion-mnist), trustworthiness 0.9950"),
        ]
        for (group, batch) in [("W4", 128), ("W5", 64)] {
            keys += [(group, "torch_train_images_per_second", "torch", "train bs\(batch) (20 batches)"),
                     (group, "torch_infer_images_per_second_bs256", "torch", "inference bs256"),
                     (group, "onnxruntime_infer_images_per_second_bs256", "onnxruntime", "inference bs256"),
                     (group, "torch_latency_ms_bs1", "torch", "inference bs1 latency"),
                     (group, "onnxruntime_latency_ms_bs1", "onnxruntime", "inference bs1 latency")]
        }
        return keys
    }()

    private static func loadMeasured(_ path: String) throws(BenchError) -> [Key: Double] {
        try loadMeasuredRecords(path).mapValues(\.median)
    }

    private static func loadMeasuredRecords(_ path: String) throws(BenchError) -> [Key: (median: Double, others: Double)] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .peers(file: path, problem: "cannot read it (\(error.localizedDescription))")
        }
        var table: [Key: (median: Double, others: Double)] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw .peers(file: path, problem: "line \(number + 1) is not a JSON object")
            }
            if let info = object["info"] as? String, info.contains("peak RSS"), info.contains("/usr/bin/time"),
               let mib = (object["MiB"] as? NSNumber)?.doubleValue {
                table[Key(workload: "W4", peer: "torch", metric: trainingRSSMetric)] = (mib, 0)
            }
            guard let workload = object["workload"] as? String else { continue }  // other "info" lines
            guard let peer = object["peer"] as? String, let metric = object["metric"] as? String,
                  let median = (object["median"] as? NSNumber)?.doubleValue else {
                throw .peers(file: path, problem: "line \(number + 1) lacks peer, metric or median")
            }
            let key = Key(workload: workload, peer: peer, metric: metric)
            // run_all.sh may measure a row twice (W4 training); like its table.py, keep the record
            // during which other processes used the least CPU.
            let others = (object["others_cpu"] as? NSNumber)?.doubleValue ?? 0
            if let old = table[key], old.others <= others { continue }
            table[key] = (median, others)
        }
        if table.isEmpty { throw .peers(file: path, problem: "no peer results in it (expected run_all.sh's results.jsonl)") }
        return table
    }

    private static func loadReference(_ url: URL) throws(BenchError) -> [Key: Double] {
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .peers(file: url.path, problem: "missing or not JSON")
        }
        var table: [Key: Double] = [:]
        func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
        if let g1 = root["G1"] as? [String: Any] {
            for (peerKey, peer) in [("numpy_gflops", "numpy"), ("torch_gflops", "torch")] {
                for (shape, value) in g1[peerKey] as? [String: Any] ?? [:] {
                    guard let figure = number(value), let (m, k, n, threads) = parseShape(shape) else { continue }
                    table[Key(workload: "G1", peer: peer, metric: gemmMetric(m: m, k: k, n: n, threads: threads))] = figure
                }
            }
        }
        for entry in referenceKeys {
            if let value = number((root[entry.group] as? [String: Any])?[entry.key]) {
                table[Key(workload: entry.group, peer: entry.peer, metric: entry.metric)] = value
            }
        }
        if let w7 = root["W7"] as? [String: Any] {
            // {"captum_ms": {key: ms}, "captum_ms_per_image_batch64": {...}, "gradcam_ms": ms, "gradcam_ms_per_image_batch64": ms}
            for method in ["saliency", "integrated-gradients", "guided-backprop", "deconvnet", "occlusion", "gradcam"] {
                for batch in [1, 64] {
                    guard let (peer, metric, key) = explanationMetric(method: method, batch: batch) else { continue }
                    let suffix = batch == 1 ? "_ms" : "_ms_per_image_batch64"
                    let value = peer == "captum" ? number((w7["captum" + suffix] as? [String: Any])?[key]) : number(w7[key + suffix])
                    if let value { table[Key(workload: "W7", peer: peer, metric: metric)] = value }
                }
            }
        }
        if let w6 = root["W6"] as? [String: Any] {
            for (peer, metric) in nearestNeighborMetrics {
                if let seconds = number(w6["\(peer)_seconds"]) { table[Key(workload: "W6", peer: peer, metric: metric)] = seconds }
            }
        }
        return table
    }

    /// peers.json shape keys: "1024" (cube, 2 threads), "2048_t1", "64x4096x300" (M x K x N).
    private static func parseShape(_ key: String) -> (Int, Int, Int, Int)? {
        let parts = key.split(separator: "_")
        let threads = parts.count == 2 && parts[1] == "t1" ? 1 : 2
        let sizes = parts[0].split(separator: "x").compactMap { Int($0) }
        switch sizes.count {
        case 1: return (sizes[0], sizes[0], sizes[0], threads)
        case 3: return (sizes[0], sizes[1], sizes[2], threads)
        default: return nil
        }
    }
}
