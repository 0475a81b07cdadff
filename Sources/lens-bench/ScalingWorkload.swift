import LensExplain
import LensModels
import LensTensor

/// How cost grows with size (issue 19's scaling table; run with `--only scale`, or one series
/// such as `--only scale-w6`). Each series should grow linearly in its size:
/// - `scale-w6-<n>k`: W6's 10000 queries against n thousand references (15k, 30k, 60k, 120k), seconds;
/// - `scale-k-<K>`: training the K sweep's MLP 4096→K→6 (600 images, batch 64, 10 epochs), seconds;
/// - `scale-ig-<steps>`: integrated gradients on W5's CNN, one image, ms;
/// - `scale-gallery-<n>`: a unit gallery's search (every unit of W4's pool2, the top 9) over n
///   Fashion-MNIST-shaped images, 6000..54000, seconds.
struct ScalingWorkload: Workload {
    let group = "SCALE"

    static let references = [15_000, 30_000, 60_000, 120_000]
    static let widths = [10, 30, 100, 300, 1000]
    static let steps = [10, 30, 100, 300, 1000]
    static let galleryImages = [6_000, 12_000, 24_000, 54_000]

    private func wants(_ options: BenchOptions, _ series: String) -> Bool {
        guard let only = options.only else { return false }   // never part of a default run
        return only.contains(group) || only.contains("\(group)-\(series)") || only.contains { $0.hasPrefix("\(group)-\(series)-") }
    }

    private func selected(_ options: BenchOptions, _ series: String, _ id: String) -> Bool {
        guard let only = options.only else { return false }
        return only.contains(group) || only.contains("\(group)-\(series)") || only.contains(id.uppercased())
    }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        let samples = options.quick ? 1 : 3
        if wants(options, "W6") { nearestNeighbours(options, samples: samples, report: report) }
        if wants(options, "K") { sweep(options, samples: samples, report: report) }
        if wants(options, "IG") { integratedGradients(options, report: report) }
        if wants(options, "GALLERY") { gallery(options, samples: samples, report: report) }
    }

    private static func uniform(_ count: Int, _ dimensions: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: [count, dimensions], scalars: (0..<(count * dimensions)).map { _ in Float.random(in: 0..<1, using: &rng) })
    }

    private func nearestNeighbours(_ options: BenchOptions, samples: Int, report: (BenchRow) -> Void) {
        let queries = Self.uniform(10_000, 784, seed: 61)
        for count in Self.references {
            let id = "scale-w6-\(count / 1000)k"
            guard selected(options, "W6", id) else { continue }
            let references = Self.uniform(count, 784, seed: 62)
            let seconds = Measure.median((0..<samples).map { _ in
                Measure.time { _ = BlockedNearestNeighbors.search(queries: queries, references: references, k: 1, metric: .euclidean) }
            })
            report(BenchRow(id: id, unit: "s", ours: seconds, higherIsBetter: false, peer: nil,
                            note: "10000 queries x \(count) references x 784"))
        }
    }

    private func sweep(_ options: BenchOptions, samples: Int, report: (BenchRow) -> Void) {
        let data = SyntheticData(count: 600, itemShape: [4096], classes: 6, seed: 63)
        for units in Self.widths {
            let id = "scale-k-\(units)"
            guard selected(options, "K", id) else { continue }
            let seconds = Measure.median((0..<samples).map { _ in
                do {
                    var network = Network(architecture: try .mlp(inputShape: [4096], hidden: [units], classes: 6), seed: 1)
                    return Measure.time { _ = trainEpochs(&network, data, epochs: 10, batchSize: 64) }
                } catch { fatalError("lens-bench: \(error)") }
            })
            report(BenchRow(id: id, unit: "s", ours: seconds, higherIsBetter: false, peer: nil,
                            note: "MLP 4096-\(units)-6, 600 images, batch 64, 10 epochs"))
        }
    }

    private func integratedGradients(_ options: BenchOptions, report: (BenchRow) -> Void) {
        var network = ConvolutionWorkload(group: "W5").makeNetwork()
        let image = ExplanationWorkload.inputs(1)
        for steps in Self.steps {
            let id = "scale-ig-\(steps)"
            guard selected(options, "IG", id) else { continue }
            var settings = AttributionSettings()
            settings.integrationSteps = steps
            let seconds = Measure.medianSeconds(samples: options.quick ? 2 : 5, warmups: 1, sampleSeconds: 0) {
                ExplanationWorkload.explain(.integratedGradients, &network, image, settings: settings)
            }
            report(BenchRow(id: id, unit: "ms", ours: seconds * 1e3, higherIsBetter: false, peer: nil,
                            note: "W5 CNN, one 64x64 image, \(steps) steps"))
        }
    }

    private func gallery(_ options: BenchOptions, samples: Int, report: (BenchRow) -> Void) {
        let network = ConvolutionWorkload(group: "W4").makeNetwork()
        let all = SyntheticData(count: Self.galleryImages.max()!, itemShape: [1, 28, 28], classes: 10, seed: 64).images
        for count in Self.galleryImages {
            let id = "scale-gallery-\(count)"
            guard selected(options, "GALLERY", id) else { continue }
            let images = all.slice(0..<count)
            let seconds = Measure.median((0..<samples).map { _ in
                Measure.time {
                    do { _ = try LayerUnits(network: network, layer: "pool2", images: images) } catch { fatalError("lens-bench: \(error)") }
                }
            })
            report(BenchRow(id: id, unit: "s", ours: seconds, higherIsBetter: false, peer: nil,
                            note: "every unit of W4's pool2, top 9, over \(count) images"))
        }
    }
}
