/// One line of the benchmark table: our figure for a workload, the peer's, and the ratio.
struct BenchRow {
    let id: String
    let unit: String
    let ours: Double
    /// GFLOP/s and images/s: higher is better; seconds and MiB: lower is better.
    let higherIsBetter: Bool
    var peer: PeerFigure?
    var note: String?
    /// Share of the machine's CPU other processes used while this row was measured (0...1).
    var othersCPU: Double?
    /// False for figures that other processes cannot disturb (memory), or that are measured in a
    /// child process (which the load count would take for another process).
    var isTiming = true
    /// W4/W5 rows: the network's floating-point work per second, and that as a share of the GEMM
    /// ceiling measured in the same run (`NetworkProducts`).
    var gflops: Double?
    var ofGemm: Double?

    /// > 1 means NeuralLens is faster (or smaller).
    var speedup: Double? {
        guard let peer, peer.value > 0, ours > 0 else { return nil }
        return higherIsBetter ? ours / peer.value : peer.value / ours
    }
}

/// A peer's figure and where it came from.
struct PeerFigure {
    let value: Double
    let name: String
    /// True when measured on this machine (a --peers results file), false for the reference figures
    /// of peers.json, measured on another machine.
    let measuredHere: Bool
}
