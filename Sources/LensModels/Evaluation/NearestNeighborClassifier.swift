import LensTensor

/// k-nearest-neighbour classification: the lecture's first model. It keeps the whole training set
/// and answers with the evidence, the neighbours and their distances, not only a label.
public struct NearestNeighborClassifier: Sendable {
    public struct Neighbor: Sendable, Equatable, Codable {
        public var index: Int       // row in the training set
        public var label: Int
        public var distance: Float
    }

    public struct Prediction: Sendable, Equatable {
        public var label: Int
        public var neighbors: [Neighbor]     // nearest first
        public var probabilities: [Float]    // vote share per class
    }

    public var k: Int
    public var metric: DistanceMetric
    public var references: Tensor           // [N, D] flattened training images
    public var labels: [Int]
    public var classCount: Int

    public init(k: Int, metric: DistanceMetric, references: Tensor, labels: [Int], classCount: Int) throws {
        guard k >= 1 else { throw NearestNeighborError.badK(k, available: labels.count) }
        guard k <= labels.count else { throw NearestNeighborError.badK(k, available: labels.count) }
        guard references.rank >= 2, references.shape[0] == labels.count else {
            throw NearestNeighborError.shapeMismatch("training set has shape \(references.shape) but \(labels.count) labels")
        }
        guard labels.allSatisfy({ $0 >= 0 && $0 < classCount }) else {
            throw NearestNeighborError.shapeMismatch("a label lies outside 0..<\(classCount)")
        }
        self.k = k
        self.metric = metric
        self.references = references.reshaped([labels.count, references.count / max(labels.count, 1)])
        self.labels = labels
        self.classCount = classCount
    }

    public var featureCount: Int { references.shape[1] }

    /// Predicts every row of `queries` ([N, ...] with the training set's feature count).
    /// The vote goes to the class with most neighbours; a tie goes to the class whose tied
    /// neighbours are closer in total, then to the lower class index, so answers never depend on order.
    public func predict(_ queries: Tensor) throws -> [Prediction] {
        let count = queries.shape.first ?? 0
        guard count > 0 else { return [] }
        guard queries.count / count == featureCount else {
            throw NearestNeighborError.shapeMismatch(
                "query has \(queries.count / count) features per item but the model was trained on \(featureCount)")
        }
        let flat = queries.reshaped([count, featureCount])
        let found = BlockedNearestNeighbors.search(queries: flat, references: references, k: k, metric: metric)
        return (0..<count).map { row in
            let neighbors = zip(found.indices[row], found.distances[row]).map {
                Neighbor(index: $0.0, label: labels[$0.0], distance: $0.1)
            }
            var votes = [Int](repeating: 0, count: classCount)
            var distanceSums = [Double](repeating: 0, count: classCount)
            for neighbor in neighbors {
                votes[neighbor.label] += 1
                distanceSums[neighbor.label] += Double(neighbor.distance)
            }
            var best = 0
            for c in 1..<classCount {
                if votes[c] > votes[best] || (votes[c] == votes[best] && votes[c] > 0 && distanceSums[c] < distanceSums[best]) {
                    best = c
                }
            }
            let probabilities = votes.map { Float($0) / Float(neighbors.count) }
            return Prediction(label: best, neighbors: neighbors, probabilities: probabilities)
        }
    }
}

public enum NearestNeighborError: Error, CustomStringConvertible, Equatable {
    case badK(Int, available: Int)
    case shapeMismatch(String)

    public var description: String { message(naming: "k") }

    /// The description with `name` for the number of neighbours: what the person called it.
    public func message(naming name: String) -> String {
        switch self {
        case .badK(let k, let available):
            "\(name) \(k) is invalid: k must be between 1 and the number of training images (\(available))"
        case .shapeMismatch(let detail): "nearest neighbour: \(detail)"
        }
    }
}
