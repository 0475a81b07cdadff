import Foundation
import LensModels
import LensTensor

/// Synthetic data of a workload's shape: uniform [0, 1) images and random labels (content does not
/// change speed), like the peers' `torch.rand` and `torch.randint`.
struct SyntheticData {
    let images: Tensor
    let labels: [Int]

    init(count: Int, itemShape: [Int], classes: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let size = itemShape.reduce(1, *)
        images = Tensor(shape: [count] + itemShape, scalars: (0..<(count * size)).map { _ in Float.random(in: 0..<1, using: &rng) })
        labels = (0..<count).map { _ in Int.random(in: 0..<classes, using: &rng) }
    }
}

/// SGD with momentum 0.9, learning rate 0.01, as every WORKLOADS.md training row uses.
func workloadOptions(epochs: Int, batchSize: Int) -> TrainingOptions {
    TrainingOptions(epochs: epochs, batchSize: batchSize, learningRate: 0.01,
                    optimizer: .sgd(momentum: 0.9, weightDecay: 0), seed: 1, restoreBestWeights: false)
}

/// Trains and returns the wall-clock seconds of each epoch (a failure is a bug in the engine: it stops the run).
func trainEpochs(_ network: inout Network, _ data: SyntheticData, epochs: Int, batchSize: Int) -> [Double] {
    do {
        let history = try Trainer.train(&network, images: data.images, labels: data.labels, validation: nil,
                                        options: workloadOptions(epochs: epochs, batchSize: batchSize))
        return history.epochs.map(\.seconds)
    } catch {
        fatalError("lens-bench: training failed: \(error)")
    }
}

/// W1 (softmax regression 4096→6), W2 (MLP 4096→300→6) and W3 (MLP 784→512→256→10).
struct DenseTrainingWorkload: Workload {
    let group: String

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        switch group {
        case "W1": runSoftmax(options: options, peers: peers, report: report)
        case "W2": runMLP(options: options, peers: peers, report: report)
        default: runFashionMLP(options: options, peers: peers, report: report)
        }
    }

    private func network(_ architecture: () throws -> Architecture) -> Network {
        do { return Network(architecture: try architecture(), seed: 1) } catch { fatalError("lens-bench: \(error)") }
    }

    /// W1: seconds for 100 epochs over 600 faces-shaped images, batch 64; median of 5 fresh runs.
    private func runSoftmax(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.selects(group: group, id: "W1") else { return }
        let data = SyntheticData(count: 600, itemShape: [4096], classes: 6, seed: 11)
        let make = { network { try .softmaxRegression(inputShape: [4096], classes: 6) } }
        var warm = make()
        _ = trainEpochs(&warm, data, epochs: 1, batchSize: 64)
        let runs = options.quick ? 1 : 5
        let seconds = Measure.median((0..<runs).map { _ in
            var net = make()
            return Measure.time { _ = trainEpochs(&net, data, epochs: 100, batchSize: 64) }
        })
        report(BenchRow(id: "W1", unit: "s", ours: seconds, higherIsBetter: false,
                        peer: peers.figure(workload: "W1", peer: "torch", metric: PeerFigures.metric("W1", "torch"), higherIsBetter: false),
                        note: "100 epochs, median of \(runs)"))
    }

    /// W2: seconds per epoch, median of 50 epochs after 3 warm-up epochs.
    private func runMLP(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.selects(group: group, id: "W2") else { return }
        let data = SyntheticData(count: 600, itemShape: [4096], classes: 6, seed: 12)
        let make = { network { try .mlp(inputShape: [4096], hidden: [300], classes: 6) } }
        var warm = make()
        _ = trainEpochs(&warm, data, epochs: 3, batchSize: 64)
        var net = make()
        let epochs = options.quick ? 10 : 50
        let seconds = Measure.median(trainEpochs(&net, data, epochs: epochs, batchSize: 64))
        report(BenchRow(id: "W2", unit: "s/epoch", ours: seconds, higherIsBetter: false,
                        peer: peers.figure(workload: "W2", peer: "torch", metric: PeerFigures.metric("W2", "torch"), higherIsBetter: false),
                        note: "median of \(epochs) epochs"))
    }

    /// W3: seconds per epoch over 60000 images, batch 128, after a 100-batch warm-up; median of 5 epochs.
    private func runFashionMLP(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.selects(group: group, id: "W3-train") else { return }
        let data = SyntheticData(count: 60000, itemShape: [784], classes: 10, seed: 13)
        let make = { network { try .mlp(inputShape: [784], hidden: [512, 256], classes: 10) } }
        var net = make()
        let warmData = SyntheticData(count: 12800, itemShape: [784], classes: 10, seed: 14)
        _ = trainEpochs(&net, warmData, epochs: 1, batchSize: 128)
        let epochs = options.quick ? 1 : 5
        let seconds = Measure.median(trainEpochs(&net, data, epochs: epochs, batchSize: 128))
        report(BenchRow(id: "W3-train", unit: "img/s", ours: 60000 / seconds, higherIsBetter: true,
                        peer: peers.figure(workload: "W3", peer: "torch", metric: PeerFigures.metric("W3", "torch"), higherIsBetter: true),
                        note: String(format: "%.3g s/epoch, median of %d epochs", seconds, epochs)))
    }
}

/// W4 (CNN on 1x28x28, batch 128) and W5 (CNN on 1x64x64, batch 64): training images/s over 20
/// batches, inference images/s at batch 256, batch-1 latency; W4 also the training process's peak RSS.
struct ConvolutionWorkload: Workload {
    let group: String

    var layout: String {
        group == "W4" ? "conv5x5x32,pool,conv5x5x64,pool,fc128" : "conv3x3x16,pool,conv3x3x32,pool,conv3x3x64,pool,fc128"
    }
    var side: Int { group == "W4" ? 28 : 64 }
    var classes: Int { group == "W4" ? 10 : 6 }
    var batchSize: Int { group == "W4" ? 128 : 64 }

    func makeNetwork() -> Network {
        do {
            return Network(architecture: try .parse(layout, inputShape: [1, side, side], classes: classes), seed: 1)
        } catch { fatalError("lens-bench: \(error)") }
    }

    /// 20 batches: one training epoch over 20·batchSize images. Returns seconds per 20 batches (median).
    func trainingSeconds(quick: Bool) -> Double {
        var net = makeNetwork()
        let data = SyntheticData(count: 20 * batchSize, itemShape: [1, side, side], classes: classes, seed: 21)
        _ = trainEpochs(&net, data, epochs: 1, batchSize: batchSize)
        return Measure.median(trainEpochs(&net, data, epochs: quick ? 2 : 5, batchSize: batchSize))
    }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        let effort = Effort(quick: options.quick)
        let products = NetworkProducts.of(group: group)
        let timedRows = ["train", "infer-bs256", "latency-bs1"].map { "\(group)-\($0)" }
        var ceiling: Double?
        if timedRows.contains(where: { options.selects(group: group, id: $0) }) {
            let gflops = products.ceilingGFLOPs(images: 64, effort: effort)
            ceiling = gflops
            var row = BenchRow(id: "\(group)-gemm-ceiling", unit: "GFLOP/s", ours: gflops, higherIsBetter: true, peer: nil,
                               note: "the convolutions' per-image products alone, images split over the threads")
            row.gflops = gflops
            report(row)
        }
        /// A row with its GFLOP/s (`flops` per image, `seconds` per `images`) and its share of the ceiling.
        func measured(_ row: BenchRow, flops: Double, images: Double, seconds: Double) -> BenchRow {
            var row = row
            row.gflops = flops * images / seconds / 1e9
            if let ceiling, let gflops = row.gflops { row.ofGemm = gflops / ceiling }
            return row
        }
        if options.selects(group: group, id: "\(group)-train") {
            let seconds = trainingSeconds(quick: options.quick)
            report(measured(BenchRow(id: "\(group)-train", unit: "img/s", ours: Double(20 * batchSize) / seconds, higherIsBetter: true,
                                     peer: peers.figure(workload: group, peer: "torch", metric: "train bs\(batchSize) (20 batches)", higherIsBetter: true)),
                            flops: products.trainingFlops, images: Double(20 * batchSize), seconds: seconds))
        }
        let net = makeNetwork()
        if options.selects(group: group, id: "\(group)-infer-bs256") {
            let batch = SyntheticData(count: 256, itemShape: [1, side, side], classes: classes, seed: 22).images
            let seconds = Measure.medianSeconds(samples: effort.samples, warmups: 3, sampleSeconds: 0) {
                _ = net.logits(batch, batchSize: 256)
            }
            report(measured(BenchRow(id: "\(group)-infer-bs256", unit: "img/s", ours: 256 / seconds, higherIsBetter: true,
                                     peer: peers.inferenceFigure(workload: group, metric: "inference bs256", higherIsBetter: true)),
                            flops: products.inferenceFlops, images: 256, seconds: seconds))
        }
        if options.selects(group: group, id: "\(group)-latency-bs1") {
            let one = SyntheticData(count: 1, itemShape: [1, side, side], classes: classes, seed: 23).images
            let seconds = Measure.medianSeconds(samples: effort.samples, warmups: 20, sampleSeconds: effort.sampleSeconds) {
                _ = net.logits(one, batchSize: 1)
            }
            report(measured(BenchRow(id: "\(group)-latency-bs1", unit: "ms", ours: seconds * 1e3, higherIsBetter: false,
                                     peer: peers.inferenceFigure(workload: group, metric: "inference bs1 latency", higherIsBetter: false)),
                            flops: products.inferenceFlops, images: 1, seconds: seconds))
        }
        if group == "W4", options.selects(group: group, id: "W4-rss") {
            var row = BenchRow(id: "W4-rss", unit: "MiB", ours: TrainingMemory.peakMiBOfChildProcess(), higherIsBetter: false,
                               peer: peers.figure(workload: "W4", peer: "torch", metric: PeerFigures.trainingRSSMetric, higherIsBetter: false),
                               note: "peak RSS of a process that only trains W4")
            row.isTiming = false
            report(row)
        }
    }
}

/// Peak memory of W4 training, measured in a fresh lens-bench process that does nothing else
/// (like the peer, whose whole training process is measured by /usr/bin/time).
enum TrainingMemory {
    static let childFlag = "--internal-w4-training-process"

    /// In the child: train W4 as the train row does and print this process's peak RSS in MiB.
    static func runChild() {
        _ = ConvolutionWorkload(group: "W4").trainingSeconds(quick: false)
        print(String(format: "%.1f", peakMiBOfThisProcess()))
    }

    /// Peak RSS of a fresh lens-bench process started with `flag` and `arguments` (W4 training by default).
    static func peakMiBOfChildProcess(flag: String = childFlag, arguments: [String] = []) -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [flag] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { fatalError("lens-bench: cannot start the memory process \(flag): \(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let mib = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            fatalError("lens-bench: the memory process \(flag) failed (status \(process.terminationStatus)): \(output)")
        }
        return mib
    }

    static func peakMiBOfThisProcess() -> Double {
        let usage = ownResourceUsage()
        #if os(macOS)
        return Double(usage.ru_maxrss) / (1024 * 1024)   // bytes
        #else
        return Double(usage.ru_maxrss) / 1024            // KiB
        #endif
    }
}
