import Foundation
import LensModels

/// A training job as a page asks for it: the kind and the few knobs worth turning live; every
/// other option is the recipe's default for the data.
public struct TrainingRequest: Codable, Sendable, Equatable {
    public var kind: ModelKind
    /// MLP: units of its one hidden layer (default 300).
    public var hiddenUnits: Int?
    public var epochs: Int?
    public var learningRate: Float?
    public var seed: UInt64?

    public static let kinds: [ModelKind] = [.softmax, .mlp, .cnn]
    public static let epochRange = 1...500
    public static let hiddenUnitRange = 1...4096
    public static let learningRateRange: ClosedRange<Float> = 1e-6...1

    public init(kind: ModelKind, hiddenUnits: Int? = nil, epochs: Int? = nil, learningRate: Float? = nil, seed: UInt64? = nil) {
        self.kind = kind
        self.hiddenUnits = hiddenUnits
        self.epochs = epochs
        self.learningRate = learningRate
        self.seed = seed
    }

    /// The recipe this request trains, or an error naming the first value out of range.
    public func recipe(trainingCount: Int) throws -> ModelRecipe {
        guard Self.kinds.contains(kind) else {
            throw StudioError(.invalidInput, "kind \(kind.rawValue) cannot be trained here: choose one of \(Self.kinds.map(\.rawValue).joined(separator: ", "))")
        }
        func check<T: Comparable>(_ name: String, _ value: T?, _ range: ClosedRange<T>) throws {
            if let value, !range.contains(value) {
                throw StudioError(.invalidInput, "\(name) \(value) is out of range: give a value between \(range.lowerBound) and \(range.upperBound)")
            }
        }
        try check("hidden units", hiddenUnits, Self.hiddenUnitRange)
        try check("epochs", epochs, Self.epochRange)
        try check("learning rate", learningRate, Self.learningRateRange)
        var recipe = ModelRecipe.defaults(for: kind, trainingCount: trainingCount, seed: seed ?? 0)
        if kind == .mlp { recipe.hidden = [hiddenUnits ?? 300] }
        if let epochs { recipe.options.epochs = epochs }
        if let learningRate { recipe.options.learningRate = learningRate }
        return recipe
    }
}
