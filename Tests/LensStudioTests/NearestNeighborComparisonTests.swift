import Foundation
import LensData
import LensStudio
import LensTensor
import LensTestSupport
import Testing

/// The demo's 1-nearest-neighbour comparison as a library call: its pairs are the true nearest
/// training images, its accuracy is theirs, and it reads back as JSON.
@Suite struct NearestNeighborComparisonTests {
    @Test func eachPairIsTheNearestTrainingImageAndTheAccuracyIsThePairs() throws {
        let dataset = try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 8, channels: 1))
        let comparison = try NearestNeighborComparison(on: dataset, metrics: [.euclidean, .cosine])
        #expect(comparison.runs.map(\.metric) == [.euclidean, .cosine] && comparison.dataset == dataset.source.name)
        let test = dataset.split.test, train = dataset.split.train
        #expect(test.count <= NearestNeighborComparison.pairLimit, "every test image is paired, so the accuracy can be checked")
        func distance(_ metric: DistanceMetric, _ a: [Float], _ b: [Float]) -> Float {
            switch metric {
            case .euclidean: return zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            case .cosine:
                let dot = zip(a, b).map { $0 * $1 }.reduce(0, +)
                let norms = a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot()
                return 1 - dot / norms
            case .dot: return -zip(a, b).map { $0 * $1 }.reduce(0, +)
            }
        }
        for run in comparison.runs {
            #expect(run.pairs.map(\.testIndex) == test && run.seconds >= 0)
            for pair in run.pairs.prefix(10) {
                let query = dataset.image(at: pair.testIndex).scalars
                let nearest = train.map { distance(run.metric, query, dataset.image(at: $0).scalars) }.min() ?? .infinity
                #expect(train.contains(pair.neighborIndex))
                #expect(abs(pair.distance - nearest) < 1e-3, "\(run.metric): \(pair.distance) vs the brute-force nearest \(nearest)")
                #expect(pair.neighborClass == dataset.data.classNames[dataset.data.labels[pair.neighborIndex]])
                #expect(pair.testClass == dataset.data.classNames[dataset.data.labels[pair.testIndex]])
            }
            let correct = run.pairs.filter(\.correct).count
            #expect(abs(run.accuracy - Double(correct) / Double(test.count)) < 1e-9)
            #expect(run.accuracy > 0.5, "1-NN recognises most ORL faces (\(run.metric): \(run.accuracy))")
        }
        let decoded = try JSONDecoder().decode(NearestNeighborComparison.self, from: JSONEncoder().encode(comparison))
        #expect(decoded.runs.map(\.pairs) == comparison.runs.map(\.pairs))
        #expect(try NearestNeighborComparison(on: dataset, metrics: [.dot], pairLimit: 3).runs[0].pairs.count == 3)
    }

    @Test func anEmptyTestSplitIsRefusedInTheUsersWords() throws {
        let scratch = try ScratchFolder()
        let path = try StudioWorkflowTests.folder(scratch, classes: 2, perClass: 1)
        let dataset = try StudioDataset(named: path, preprocessing: Preprocessing(size: 4))
        #expect(throws: StudioError(.invalidInput, "\(path): 1-nearest-neighbour needs training and test images; the split holds "
                                    + "2 and 0: give each class several images, e.g. 7 or more")) {
            _ = try NearestNeighborComparison(on: dataset)
        }
    }
}
