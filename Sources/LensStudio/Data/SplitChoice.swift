import LensData

/// Which part of a dataset to use: the three parts of its split, or every item.
public enum SplitChoice: String, CaseIterable, Codable, Sendable {
    case train, validation, test, all

    /// "train, validation, test, all": the words a person may give.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension DatasetSplit {
    /// The item indices of `choice` in a dataset of `count` items.
    public func indices(_ choice: SplitChoice, count: Int) -> [Int] {
        switch choice {
        case .train: train
        case .validation: validation
        case .test: test
        case .all: Array(0..<count)
        }
    }
}
