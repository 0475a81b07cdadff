import Testing
import LensTensor
@testable import LensModels

/// Four training points on a line and in the plane, with neighbours worked out by hand.
private let training = Tensor(shape: [4, 2], scalars: [
    0, 0,   // 0: class 0
    1, 0,   // 1: class 0
    0, 3,   // 2: class 1
    4, 4,   // 3: class 1
])
private let trainingLabels = [0, 0, 1, 1]

@Test func oneNearestNeighbourEuclideanMatchesHandComputation() throws {
    let classifier = try NearestNeighborClassifier(k: 1, metric: .euclidean, references: training, labels: trainingLabels, classCount: 2)
    // (0.9, 0.2): distances 0.922, 0.224, 2.941, 5.016 -> point 1
    // (0, 2.2):   distances 2.2, 2.417, 0.8, 4.561 -> point 2
    let predictions = try classifier.predict(Tensor(shape: [2, 2], scalars: [0.9, 0.2, 0, 2.2]))
    #expect(predictions.map(\.label) == [0, 1])
    #expect(predictions[0].neighbors.map(\.index) == [1])
    #expect(abs(predictions[0].neighbors[0].distance - 0.2236068) < 1e-5)
    #expect(predictions[1].neighbors.map(\.index) == [2])
    #expect(abs(predictions[1].neighbors[0].distance - 0.8) < 1e-5)
}

@Test func threeNeighboursVoteAndReportEvidenceNearestFirst() throws {
    let classifier = try NearestNeighborClassifier(k: 3, metric: .euclidean, references: training, labels: trainingLabels, classCount: 2)
    // (0.5, 1.5): d0 = 1.581, d1 = 1.581, d2 = 1.581, d3 = 4.301: three-way tie, lower index first
    let prediction = try classifier.predict(Tensor(shape: [1, 2], scalars: [0.5, 1.5]))[0]
    #expect(prediction.neighbors.map(\.index) == [0, 1, 2])
    #expect(prediction.label == 0)  // two votes of three
    #expect(prediction.probabilities == [2.0 / 3.0, 1.0 / 3.0])
}

@Test func cosineIgnoresLengthAndDotFavoursBrightVectors() throws {
    let references = Tensor(shape: [2, 2], scalars: [1, 0, 10, 10])
    let query = Tensor(shape: [1, 2], scalars: [5, 0.5])
    let cosine = try NearestNeighborClassifier(k: 1, metric: .cosine, references: references, labels: [0, 1], classCount: 2)
    let dot = try NearestNeighborClassifier(k: 1, metric: .dot, references: references, labels: [0, 1], classCount: 2)
    let euclidean = try NearestNeighborClassifier(k: 1, metric: .euclidean, references: references, labels: [0, 1], classCount: 2)
    // cos to (1,0) = 0.995, to (10,10) = 0.774; dot 5 vs 55; euclid 4.03 vs 11.0
    #expect(try cosine.predict(query)[0].label == 0)
    #expect(try dot.predict(query)[0].label == 1)
    #expect(try euclidean.predict(query)[0].label == 0)
    #expect(abs(try cosine.predict(query)[0].neighbors[0].distance - (1 - 5 / (5.0249378 * 1))) < 1e-4)
}

@Test func tiedVotesGoToTheCloserClass() throws {
    // k = 2, one neighbour of each class: the closer one's class wins, whatever the class index.
    let references = Tensor(shape: [2, 1], scalars: [0, 1])
    let classifier = try NearestNeighborClassifier(k: 2, metric: .euclidean, references: references, labels: [0, 1], classCount: 2)
    #expect(try classifier.predict(Tensor(shape: [1, 1], scalars: [0.9]))[0].label == 1)
    #expect(try classifier.predict(Tensor(shape: [1, 1], scalars: [0.1]))[0].label == 0)
}

@Test func badKAndMismatchedShapesAreClearErrors() throws {
    #expect(throws: NearestNeighborError.badK(0, available: 4)) {
        try NearestNeighborClassifier(k: 0, metric: .euclidean, references: training, labels: trainingLabels, classCount: 2)
    }
    #expect(throws: NearestNeighborError.badK(5, available: 4)) {
        try NearestNeighborClassifier(k: 5, metric: .euclidean, references: training, labels: trainingLabels, classCount: 2)
    }
    #expect(NearestNeighborError.badK(0, available: 4).description == "k 0 is invalid: k must be between 1 and the number of training images (4)")
    #expect(NearestNeighborError.badK(0, available: 4).message(naming: "--k").hasPrefix("--k 0 is invalid"))
    let classifier = try NearestNeighborClassifier(k: 1, metric: .euclidean, references: training, labels: trainingLabels, classCount: 2)
    do {
        _ = try classifier.predict(Tensor(shape: [1, 3], scalars: [1, 2, 3]))
        Issue.record("a query with 3 features against a 2-feature model must fail")
    } catch let error as NearestNeighborError {
        #expect(error.description.contains("3 features"))
    }
}

/// Found by fuzzing model files: vectors so large that their squared distances overflow gave NaN or
/// infinite distances, no neighbour at all, and an index of -1 that crashed the vote.
@Test func overflowingDistancesStillGiveKNeighboursThatExist() throws {
    for metric in [DistanceMetric.euclidean, .cosine, .dot] {
        let references = Tensor(shape: [3, 2], scalars: [1e37, 1e37, -1e38, 3e38, 2e38, -3e38])
        let classifier = try NearestNeighborClassifier(k: 2, metric: metric, references: references, labels: [0, 1, 1], classCount: 2)
        let prediction = try classifier.predict(Tensor(shape: [1, 2], scalars: [0.5, 0.25]))[0]
        #expect(prediction.neighbors.count == 2, "\(metric)")
        #expect(prediction.neighbors.allSatisfy { (0..<3).contains($0.index) }, "\(metric): \(prediction.neighbors)")
        #expect(prediction.probabilities.reduce(0, +) == 1, "\(metric)")
    }
}
