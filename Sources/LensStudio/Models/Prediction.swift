import Foundation
import LensData
import LensModels
import LensTensor

/// One class and the probability the model gives it.
public struct ClassProbability: Codable, Sendable, Equatable {
    public var `class`: String
    public var probability: Float

    public init(class name: String, probability: Float) {
        self.class = name
        self.probability = probability
    }
}

/// A model's answer for one image: every class, most probable first.
public struct Prediction: Codable, Sendable, Equatable {
    public var predicted: String
    /// Index of `predicted` in the model's class list.
    public var predictedIndex: Int
    public var classes: [ClassProbability]
    /// Every class name in the order a picker lists them (`NaturalOrder`: s1, s2 … s10).
    public var classOrder: [String]
    /// k-NN: the training images that voted, nearest first (nil for a network).
    public var neighbors: [VotingNeighbor]?
}

/// A training image a k-NN model consulted: its index in the training split, class and distance.
public struct VotingNeighbor: Codable, Sendable, Equatable {
    public var index: Int
    public var `class`: String
    public var distance: Float
}

extension ModelFile {
    /// Every class with its probability for each image of `images` [N, C, H, W], most probable
    /// first (ties in class order). Safe to call from several threads on one model file.
    public func predictions(_ images: Tensor) throws -> [Prediction] {
        let names = provenance.classNames
        let scores: [Float], labels: [Int]
        var neighbors: [[NearestNeighborClassifier.Neighbor]]?
        switch model {
        case .nearestNeighbor(let classifier):
            // One search gives the votes, the label and the evidence.
            let found = try classifier.predict(images)
            scores = found.flatMap(\.probabilities)
            labels = found.map(\.label)
            neighbors = found.map(\.neighbors)
        case .network:
            scores = try probabilities(images).scalars
            labels = try predictedLabels(images)
        }
        let order = NaturalOrder.displayOrder(names).map { names[$0] }
        return labels.enumerated().map { row, label in
            let ranked = scores[(row * names.count)..<((row + 1) * names.count)].enumerated()
                .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            return Prediction(predicted: names[label], predictedIndex: label,
                              classes: ranked.map { ClassProbability(class: names[$0.offset], probability: $0.element) },
                              classOrder: order,
                              neighbors: neighbors?[row].map { VotingNeighbor(index: $0.index, class: names[$0.label], distance: $0.distance) })
        }
    }

    /// The prediction for one [C, H, W] image.
    public func prediction(_ image: Tensor) throws -> Prediction {
        guard let first = try predictions(image.reshaped([1] + image.shape)).first else {
            throw StudioError(.failed, "the model gave no prediction")
        }
        return first
    }
}
