/// A group of benchmark rows from ../shared/bench/WORKLOADS.md (G1, W1...W10).
/// To add one: a type that measures its rows, and an entry in `allWorkloads`.
protocol Workload: Sendable {
    /// The group name used by --only, e.g. "G1".
    var group: String { get }
    /// Measures every row the options select, reporting each as soon as it is measured.
    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void)
}

let allWorkloads: [any Workload] = [
    GemmWorkload(),
    DenseTrainingWorkload(group: "W1"),
    DenseTrainingWorkload(group: "W2"),
    DenseTrainingWorkload(group: "W3"),
    ConvolutionWorkload(group: "W4"),
    ConvolutionWorkload(group: "W5"),
    NearestNeighborWorkload(),
    ExplanationWorkload(),
    RealCNNWorkload(),
    EmbeddingWorkload(),
    ThreadThresholdScan(),
    ScalingWorkload(),
]

/// How long each workload may measure.
struct Effort {
    let samples: Int
    let warmups: Int
    let sampleSeconds: Double

    init(quick: Bool) {
        samples = quick ? 5 : 7
        warmups = quick ? 1 : 2
        sampleSeconds = quick ? 0.01 : 0.05
    }
}
