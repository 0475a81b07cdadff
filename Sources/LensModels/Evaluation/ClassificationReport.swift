/// Accuracy, per-class precision/recall/F1 and the confusion matrix of a set of predictions,
/// in the spirit of scikit-learn's classification_report.
public struct ClassificationReport: Codable, Sendable, Equatable {
    public struct ClassFigures: Codable, Sendable, Equatable {
        public var name: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public var accuracy: Double
    public var n: Int
    public var correct: Int
    public var perClass: [ClassFigures]
    /// confusion[true][predicted]
    public var confusion: [[Int]]
    public var macroF1: Double

    public init(predicted: [Int], actual: [Int], classNames: [String]) {
        precondition(predicted.count == actual.count, "one prediction per item")
        let classes = classNames.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, a) in zip(predicted, actual) { confusion[a][p] += 1 }
        let correct = zip(predicted, actual).filter { $0 == $1 }.count
        perClass = (0..<classes).map { c in
            let truePositives = Double(confusion[c][c])
            let predictedAs = Double((0..<classes).reduce(0) { $0 + confusion[$1][c] })
            let support = confusion[c].reduce(0, +)
            let precision = predictedAs > 0 ? truePositives / predictedAs : 0
            let recall = support > 0 ? truePositives / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassFigures(name: classNames[c], precision: precision, recall: recall, f1: f1, support: support)
        }
        self.confusion = confusion
        self.correct = correct
        self.n = predicted.count
        self.accuracy = predicted.isEmpty ? 0 : Double(correct) / Double(predicted.count)
        let present = perClass.filter { $0.support > 0 }
        self.macroF1 = present.isEmpty ? 0 : present.map(\.f1).reduce(0, +) / Double(present.count)
    }
}
