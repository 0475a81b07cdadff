import Foundation
import LensModels
import LensTensor

/// Lecture step 2: 1-nearest-neighbour on the raw pixels with each distance, scored on the test
/// split, with each test image's nearest training image (the demo's showcase). Images are named
/// by their index in the dataset, so the result stays small and reads back as JSON.
public struct NearestNeighborComparison: Codable, Sendable {
    /// A test image and the training image closest to it.
    public struct Pair: Codable, Sendable, Equatable {
        /// Indices into the whole dataset (`StudioDataset.image(at:)`).
        public var testIndex: Int
        public var testClass: String
        public var neighborIndex: Int
        public var neighborClass: String
        public var distance: Float

        public var correct: Bool { testClass == neighborClass }
    }

    /// One distance: its test accuracy, the time to classify the test split, and the first pairs.
    public struct Run: Codable, Sendable {
        public var metric: DistanceMetric
        public var accuracy: Double
        public var seconds: Double
        /// The first `pairLimit` test images in split order.
        public var pairs: [Pair]
    }

    public var dataset: String
    public var runs: [Run]

    /// Pairs kept per distance: enough for the page's misclassified-first showcase, small enough to keep.
    public static let pairLimit = 120

    /// 1-NN with each of `metrics` trained on `dataset`'s training split and scored on its test split.
    public init(on dataset: StudioDataset, metrics: [DistanceMetric] = DistanceMetric.allCases, pairLimit: Int = Self.pairLimit) throws {
        let split = dataset.split
        guard !split.train.isEmpty, !split.test.isEmpty else {
            throw StudioError(.invalidInput, "\(dataset.source.name): 1-nearest-neighbour needs training and test images; the split holds "
                              + "\(split.train.count) and \(split.test.count): give each class several images, e.g. 7 or more")
        }
        let classNames = dataset.data.classNames
        let (trainImages, trainLabels) = dataset.trainingSet
        let (testImages, testLabels) = dataset.testSet
        self.dataset = dataset.source.name
        runs = try metrics.map { metric in
            let clock = Date()
            let classifier = try NearestNeighborClassifier(k: 1, metric: metric, references: trainImages, labels: trainLabels,
                                                           classCount: classNames.count)
            let predictions = try classifier.predict(testImages)
            let seconds = Date().timeIntervalSince(clock)
            let accuracy = ClassificationReport(predicted: predictions.map(\.label), actual: testLabels, classNames: classNames).accuracy
            let pairs = predictions.prefix(max(pairLimit, 0)).enumerated().compactMap { row, prediction -> Pair? in
                guard let nearest = prediction.neighbors.first else { return nil }
                return Pair(testIndex: split.test[row], testClass: classNames[testLabels[row]], neighborIndex: split.train[nearest.index],
                            neighborClass: classNames[nearest.label], distance: nearest.distance)
            }
            return Run(metric: metric, accuracy: accuracy, seconds: seconds, pairs: pairs)
        }
    }
}
