import LensTensor

/// How much a model's class templates look like the classes: per class, the Pearson correlation
/// between its template and its centred mean training image (class mean minus overall mean),
/// and the mean over classes. Random templates score about 0; a template that is the class's
/// average deviation from the average face scores 1.
public struct FaceLikeness: Codable, Sendable, Equatable {
    public var perClass: [Float]
    public var mean: Float

    /// The figure's label: on faces it may be called face-likeness; on other data (clothes,
    /// digits) it is named for what it measures, the likeness to each class's mean image.
    public static func label(onFaces: Bool) -> String {
        onFaces ? "Likeness to the class means (face-likeness)" : "Likeness to the class means (class-mean likeness)"
    }

    /// `templates[c]` against class c's centred mean of `images` [N, ...] with `labels`.
    public init(classTemplates templates: [[Float]], images: Tensor, labels: [Int]) throws {
        let count = images.shape.first ?? 0, features = images.count / max(count, 1)
        guard count == labels.count, count > 0 else {
            throw ExplainError.invalidInput("face-likeness needs labelled images: \(count) images, \(labels.count) labels")
        }
        guard templates.allSatisfy({ $0.count == features }) else {
            throw ExplainError.invalidInput("face-likeness: templates of \(templates.first?.count ?? 0) values for images of \(features)")
        }
        var sums = [[Double]](repeating: [Double](repeating: 0, count: features), count: templates.count)
        var counts = [Int](repeating: 0, count: templates.count)
        var overall = [Double](repeating: 0, count: features)
        for (n, label) in labels.enumerated() {
            guard templates.indices.contains(label) else {
                throw ExplainError.invalidInput("face-likeness: label \(label) but \(templates.count) class templates")
            }
            counts[label] += 1
            for j in 0..<features {
                let value = Double(images.scalars[n * features + j])
                sums[label][j] += value
                overall[j] += value
            }
        }
        let overallMean = overall.map { $0 / Double(count) }
        perClass = templates.indices.map { c in
            guard counts[c] > 0 else { return 0 }
            let centred = (0..<features).map { sums[c][$0] / Double(counts[c]) - overallMean[$0] }
            return Float(pearson(templates[c].map(Double.init), centred))
        }
        mean = perClass.isEmpty ? 0 : perClass.reduce(0, +) / Float(perClass.count)
    }
}

/// Pearson's r; 0 when either side is constant.
func pearson(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
    var cross = 0.0, squaresA = 0.0, squaresB = 0.0
    for (x, y) in zip(a, b) {
        cross += (x - meanA) * (y - meanB)
        squaresA += (x - meanA) * (x - meanA)
        squaresB += (y - meanB) * (y - meanB)
    }
    let denominator = (squaresA * squaresB).squareRoot()
    return denominator > 0 ? cross / denominator : 0
}

extension Templates {
    /// Class c's template: its weight row (softmax regression) or its top voter's (an MLP).
    public func classTemplates() throws -> [[Float]] {
        switch kind {
        case .classWeights:
            return (0..<count).map(template)
        case .hiddenUnits where !votes.isEmpty:
            return votes.map { template($0.units[0]) }
        case .hiddenUnits, .filters:
            throw ExplainError.notApplicable(method: "face-likeness", model: kind == .filters ? "convolutional" : "deep dense",
                                             instead: "it needs class templates (softmax regression or one hidden layer)")
        }
    }

    /// The face-likeness of these templates against the labelled training images.
    public func faceLikeness(trainingImages images: Tensor, labels: [Int]) throws -> FaceLikeness {
        try FaceLikeness(classTemplates: classTemplates(), images: images, labels: labels)
    }
}
