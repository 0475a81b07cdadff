import Foundation
import LensData
import LensExplain
import LensTensor

/// W10: the peers' `w10_embedding.py`, row for row. `W10-pca`: randomized PCA of the first 54,000
/// Fashion-MNIST training images (784 pixels in [0, 1]) to 2 components, one warm-up then the median
/// of 3. `W10-tsne`: t-SNE (perplexity 30, Barnes-Hut, seed 0) of the 10,000 test images' first 50
/// PCA components, timed once, with its trustworthiness (k = 12) against those components beside
/// the peer's. Random data of the same shapes when the set is absent (`$FASHION_MNIST_DIR`, default
/// as the peer's). Minutes of work: runs only when asked for (--only W10).
struct EmbeddingWorkload: Workload {
    let group = "W10"

    static var directory: URL {
        ProcessInfo.processInfo.environment["FASHION_MNIST_DIR"].map { URL(fileURLWithPath: $0) } ?? DatasetSource.defaultFashionMNISTDirectory
    }

    /// The training rows and the test rows, and which data they are ("fashion-mnist" or "random"), named as the peer names them.
    static func data() -> (train: Tensor, test: Tensor, name: String) {
        if let set = try? DatasetLoader.load(.fashionMNIST(directory: directory), preprocessing: nil), set.images.shape[0] >= 70_000 {
            let flat = set.images.reshaped([set.images.shape[0], 784])
            return (flat.slice(0..<54_000), flat.slice(60_000..<70_000), "fashion-mnist")
        }
        var generator = SeededGenerator(seed: 10)
        func random(_ rows: Int) -> Tensor { Tensor(shape: [rows, 784], scalars: (0..<(rows * 784)).map { _ in generator.nextUniform() }) }
        return (random(54_000), random(10_000), "random")
    }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.only != nil, options.selects(group: group) else { return }
        let (train, test, name) = Self.data()
        if options.selects(group: group, id: "W10-pca") {
            // the peer's warm-up, and the one run whose failure is told
            do { _ = try PCA(train, components: 2, seed: 0).transform(train) } catch {
                FileHandle.standardError.write(Data("lens-bench: W10-pca failed: \(error)\n".utf8))
                return
            }
            func pca() { _ = try? PCA(train, components: 2, seed: 0).transform(train) }
            let samples = options.quick ? 1 : 3
            let seconds = Measure.median((0..<samples).map { _ in Measure.time(pca) })
            report(BenchRow(id: "W10-pca", unit: "s", ours: seconds, higherIsBetter: false,
                            peer: peers.figure(workload: "W10-pca", peer: "sklearn", metricPrefix: "PCA 54000x784 -> 2 (\(name))", higherIsBetter: false),
                            note: "PCA 54000x784 -> 2 (\(name)), median of \(samples)"))
        }
        if options.selects(group: group, id: "W10-tsne") {
            do {
                let components = try PCA(test, components: 50, seed: 0).transform(test)
                var settings = TSNESettings()
                settings.perplexity = 30
                settings.seed = 0
                var result: TSNE.Result?
                var failure: Error?
                let seconds = Measure.time {
                    do { result = try TSNE.embed(components, settings: settings) } catch { failure = error }
                }
                if let failure { throw failure }
                let coordinates = result?.coordinates ?? Tensor(shape: [0, 2])
                let trust = try Trustworthiness.score(original: components, embedded: coordinates, neighbours: 12)
                let prefix = "t-SNE 10000 points (\(name)), trustworthiness"
                let peer = peers.figure(workload: "W10-tsne", peer: "sklearn", metricPrefix: prefix, higherIsBetter: false)
                let peerTrust = peers.metrics(workload: "W10-tsne", peer: "sklearn", metricPrefix: prefix).compactMap { Double($0.dropFirst(prefix.count + 1)) }.first
                report(BenchRow(id: "W10-tsne", unit: "s", ours: seconds, higherIsBetter: false, peer: peer,
                                note: String(format: "%@ %.4f", prefix, trust) + (peerTrust.map { String(format: " (sklearn %.4f)", $0) } ?? "")))
            } catch {
                FileHandle.standardError.write(Data("lens-bench: W10-tsne failed: \(error)\n".utf8))
            }
        }
    }
}
