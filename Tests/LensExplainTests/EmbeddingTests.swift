import Foundation
import LensModels
import LensTensor
import Testing
@testable import LensExplain

/// PCA against NumPy's SVD, trustworthiness against scikit-learn's, and t-SNE's gradient and descent.
@Suite struct EmbeddingTests {
    @Test func pcaMatchesNumpySVD() throws {
        let data = Tensor(shape: EmbeddingFixtures.pcaShape, scalars: EmbeddingFixtures.pcaData)
        let pca = try PCA(data, components: 3, seed: 1)
        #expect(maxDifference(pca.components.scalars, EmbeddingFixtures.pcaComponents) < 1e-4)
        for (ours, theirs) in zip(pca.explainedVariance, EmbeddingFixtures.pcaVariance) {
            #expect(abs(ours - theirs) < 1e-4 * theirs)
        }
        // the projection of the data is centred, with the components' variances
        let projected = pca.transform(data)
        for c in 0..<3 {
            let column = (0..<40).map { Double(projected.scalars[$0 * 3 + c]) }
            let mean = column.reduce(0, +) / 40
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 39
            #expect(abs(mean) < 1e-4)
            #expect(abs(variance - Double(EmbeddingFixtures.pcaVariance[c])) < 1e-3 * variance)
        }
    }

    @Test func pcaRefusesTooManyComponents() {
        let data = Tensor(shape: [5, 3], scalars: (0..<15).map(Float.init))
        #expect(throws: ExplainError.self) { try PCA(data, components: 4) }
    }

    @Test(arguments: [(false, 5), (false, 12), (true, 5), (true, 12)])
    func trustworthinessMatchesScikitLearn(shuffled: Bool, k: Int) throws {
        let original = Tensor(shape: [60, 5], scalars: EmbeddingFixtures.trustData)
        let embedded = Tensor(shape: [60, 2], scalars: shuffled ? EmbeddingFixtures.trustShuffled : EmbeddingFixtures.trustFaithful)
        let expected = switch (shuffled, k) {
        case (false, 5): EmbeddingFixtures.trustFaithfulK5
        case (false, _): EmbeddingFixtures.trustFaithfulK12
        case (true, 5): EmbeddingFixtures.trustShuffledK5
        default: EmbeddingFixtures.trustShuffledK12
        }
        let score = try Trustworthiness.score(original: original, embedded: embedded, neighbours: k)
        #expect(abs(score - expected) < 1e-9)
    }

    /// Three well separated clusters of 20 points in 6-D.
    static func clusters(seed: UInt64 = 3) -> (data: Tensor, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var scalars = [Float](), labels = [Int]()
        for point in 0..<60 {
            let cluster = point % 3
            labels.append(cluster)
            for d in 0..<6 { scalars.append(generator.nextNormal() + (d == cluster ? 8 : 0)) }
        }
        return (Tensor(shape: [60, 6], scalars: scalars), labels)
    }

    @Test func exactGradientMatchesFiniteDifferences() {
        let data = Self.clusters().data.slice(0..<12)
        let p = TSNEAffinities.exact(data, perplexity: 3)
        var generator = SeededGenerator(seed: 4)
        let y = (0..<24).map { _ in generator.nextNormal() }
        let gradient = TSNE.exactGradient(y, p, exaggeration: 1)
        for index in 0..<24 {
            var plus = y, minus = y
            plus[index] += 1e-2
            minus[index] -= 1e-2
            let numeric = (TSNE.divergence(plus, p, exact: true, theta: 0) - TSNE.divergence(minus, p, exact: true, theta: 0)) / 2e-2
            #expect(abs(numeric - Double(gradient[index])) < 1e-3 + 2e-2 * abs(numeric), "coordinate \(index)")
        }
    }

    /// Barnes-Hut with a small θ is close to the exact gradient.
    @Test func barnesHutGradientApproachesTheExactOne() {
        let data = Self.clusters().data
        let p = TSNEAffinities.exact(data, perplexity: 10)
        var generator = SeededGenerator(seed: 5)
        let y = (0..<120).map { _ in generator.nextNormal() * 3 }
        let exact = TSNE.exactGradient(y, p, exaggeration: 1)
        let approximate = TSNE.barnesHutGradient(y, p, exaggeration: 1, theta: 0.1)
        let scale = exact.map(abs).max() ?? 1
        #expect(maxDifference(exact, approximate) < 0.02 * scale)
        #expect(abs(TSNE.divergence(y, p, exact: true, theta: 0) - TSNE.divergence(y, p, exact: false, theta: 0.1)) < 0.02)
    }

    /// The flat quadtree against every pair summed directly: exact at θ = 0 (coincident points
    /// included), within a few percent at scikit-learn's θ = 0.5, every point reported once.
    @Test func quadtreeRepulsionMatchesDirectSums() {
        var generator = SeededGenerator(seed: 6)
        var x = (0..<500).map { _ in generator.nextNormal() * 4 }, y = (0..<500).map { _ in generator.nextNormal() * 4 }
        x[7] = x[3]; y[7] = y[3]   // two points on one spot
        let tree = BarnesHutTree(x: x, y: y)
        var direct = [(z: Double, fx: Double, fy: Double)](repeating: (0, 0, 0), count: 500)
        for i in 0..<500 {
            for j in 0..<500 where j != i {
                let (dx, dy) = (Double(x[i] - x[j]), Double(y[i] - y[j]))
                let q = 1 / (1 + dx * dx + dy * dy)
                direct[i].z += q; direct[i].fx += q * q * dx; direct[i].fy += q * q * dy
            }
        }
        for (theta, tolerance) in [(Float(0), 1e-4), (0.5, 0.05)] {
            var seen = [Int](repeating: 0, count: 500)
            var worstZ = 0.0, worstForce = 0.0
            let forceScale = direct.map { max(abs($0.fx), abs($0.fy)) }.max()!
            // two halves of the tree order, as the parallel gradient splits it
            for places in [0..<230, 230..<500] {
                tree.repulsions(at: places, theta: theta) { i, z, fx, fy in
                    seen[i] += 1
                    worstZ = max(worstZ, abs(Double(z) - direct[i].z) / direct[i].z)
                    worstForce = max(worstForce, max(abs(Double(fx) - direct[i].fx), abs(Double(fy) - direct[i].fy)) / forceScale)
                }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "θ = \(theta): every point once")
            #expect(worstZ < tolerance && worstForce < tolerance, "θ = \(theta): Z off by \(worstZ), force by \(worstForce)")
        }
    }

    @Test(arguments: [true, false])
    func divergenceFallsAndClustersSeparate(exact: Bool) throws {
        let (data, labels) = Self.clusters()
        var settings = TSNESettings()
        settings.perplexity = 10
        settings.iterations = 750
        settings.exactBelow = exact ? 1000 : 0
        let result = try TSNE.embed(data, settings: settings)
        #expect(result.exact == exact)
        let trace = result.divergenceTrace
        #expect(trace.count == 10)
        // falling in expectation (momentum lets it wobble between records): the later half lower
        #expect(trace.last! < trace.first!)
        #expect(trace.suffix(5).reduce(0, +) < trace.prefix(5).reduce(0, +))
        // each point's nearest neighbour in the map shares its cluster
        let near = BlockedNearestNeighbors.search(queries: result.coordinates, references: result.coordinates, k: 2, metric: .euclidean).indices
        #expect((0..<60).allSatisfy { labels[near[$0][1]] == labels[$0] })
        #expect(try Trustworthiness.score(original: data, embedded: result.coordinates, neighbours: 5) > 0.9)
        // seeded: the same call gives the same map
        #expect(try TSNE.embed(data, settings: settings).coordinates == result.coordinates)
    }

    /// A split whose activations would not fit is refused before any of them is computed, with the
    /// estimate and the budget in one line.
    @Test func aSplitLargerThanMemoryAllowsIsRefusedWithTheFigure() throws {
        let network = Network(architecture: try Architecture.parse("conv3x3x64,pool,fc8", inputShape: [1, 64, 64], classes: 2), seed: 1)
        let images = Tensor(shape: [3000, 1, 64, 64]), labels = [Int](repeating: 0, count: 3000)
        let settings = EmbeddingSettings()
        let bytes = try EmbeddingView.memoryEstimate(network: network, layers: [nil, "relu1"], images: 3000, settings: settings)
        // relu1: 64 x 64 x 64 floats per image, for the split and the training images, plus t-SNE's 200 per point
        #expect(bytes == 4 * (64 * 64 * 64 * 3000 * 2 + 3000 * 200))
        #expect(bytes > settings.memoryBudgetBytes)
        var layersRun = 0
        #expect {
            _ = try EmbeddingView.run(network: network, layers: [nil, "relu1"], split: (images, labels), train: (images, labels),
                                      settings: settings, progress: { _, _ in layersRun += 1 })
        } throws: { error in
            let text = "\(error)"
            return text.contains("needs about \(bytes >> 20) MB, above the 4096 MB allowed") && !text.contains("\n")
        }
        #expect(layersRun == 0, "refused before any layer ran")
    }

    @Test func perplexityAboveThePointsIsAnError() {
        let data = Self.clusters().data.slice(0..<20)
        #expect {
            try TSNE.embed(data)
        } throws: { error in
            "\(error)".contains("perplexity 30.0 is out of range")
        }
    }
}
