import LensTensor

/// Item indices of each part of a dataset; the parts are disjoint and each is sorted.
public struct DatasetSplit: Codable, Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]

    public init(train: [Int], validation: [Int], test: [Int]) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// A seeded, stratified train/validation/test split: every class is divided in the same
/// proportions, so a model sees each person or class in training and is tested on all of them.
/// Recorded in model files so that evaluation can find the same held-out items again.
public struct SplitPlan: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var trainFraction: Double
    public var validationFraction: Double
    public var testFraction: Double

    public init(seed: UInt64 = 0, trainFraction: Double, validationFraction: Double, testFraction: Double) {
        self.seed = seed
        self.trainFraction = trainFraction
        self.validationFraction = validationFraction
        self.testFraction = testFraction
    }

    /// ORL: 6 / 2 / 2 faces of each person.
    public static let orl = SplitPlan(trainFraction: 0.6, validationFraction: 0.2, testFraction: 0.2)
    /// A user's folder: 70 / 15 / 15 % of each class.
    public static let folder = SplitPlan(trainFraction: 0.70, validationFraction: 0.15, testFraction: 0.15)

    public func withSeed(_ seed: UInt64) -> SplitPlan {
        var plan = self
        plan.seed = seed
        return plan
    }

    /// Checks user-given fractions: each in [0, 1], summing to 1, some training data.
    public func validate() throws {
        let fractions = [trainFraction, validationFraction, testFraction]
        guard fractions.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }), abs(fractions.reduce(0, +) - 1) < 1e-6,
              trainFraction > 0 else {
            throw DatasetError.invalidSplit("fractions train \(trainFraction), validation \(validationFraction), "
                + "test \(testFraction) must each be in 0...1, sum to 1, with some training data")
        }
    }

    /// Per class: round(n · test) items for test and round(n · validation) for validation (at least
    /// one each when the fraction is positive and the class has room while keeping one for
    /// training), the rest for training. The items are drawn by a generator seeded from `seed`
    /// and the class, so the split is the same on every run and machine.
    public func split(labels: [Int]) -> DatasetSplit {
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var split = DatasetSplit(train: [], validation: [], test: [])
        for label in byClass.keys.sorted() {
            var members = byClass[label]!
            var generator = SeededGenerator(seed: seed ^ (UInt64(bitPattern: Int64(label)) &* 0x9E37_79B9_7F4A_7C15))
            generator.shuffle(&members)
            let (testCount, validationCount) = counts(for: members.count)
            split.test += members[0..<testCount]
            split.validation += members[testCount..<(testCount + validationCount)]
            split.train += members[(testCount + validationCount)...]
        }
        split.train.sort()
        split.validation.sort()
        split.test.sort()
        return split
    }

    private func counts(for n: Int) -> (test: Int, validation: Int) {
        let total = trainFraction + validationFraction + testFraction
        guard total > 0, n > 1 else { return (0, 0) }
        func share(_ fraction: Double) -> Int {
            fraction > 0 ? max(1, Int((Double(n) * fraction / total).rounded())) : 0
        }
        let test = min(share(testFraction), n - 1)
        let validation = min(share(validationFraction), n - 1 - test)
        return (test, validation)
    }
}
