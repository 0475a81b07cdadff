import Foundation
import LensModels

/// A training job as a page asks for it: the kind and the few knobs worth turning live; every
/// other option is the recipe's default for the data. Each knob's default and range is its
/// `TrainingKnobs` declaration's, as for `lens train`.
public struct TrainingRequest: Codable, Sendable, Equatable {
    public var kind: ModelKind
    /// MLP: units of its one hidden layer.
    public var hiddenUnits: Int?
    public var epochs: Int?
    public var learningRate: Float?
    public var seed: UInt64?
    /// Early stopping: stop after this many epochs without better validation accuracy; 0 trains
    /// every epoch asked for. Nil keeps the recipe's own.
    public var patience: Int?

    public static let kinds: [ModelKind] = [.softmax, .mlp, .cnn]

    public init(kind: ModelKind, hiddenUnits: Int? = nil, epochs: Int? = nil, learningRate: Float? = nil, seed: UInt64? = nil,
                patience: Int? = nil) {
        self.kind = kind
        self.patience = patience
        self.hiddenUnits = hiddenUnits
        self.epochs = epochs
        self.learningRate = learningRate
        self.seed = seed
    }

    /// The recipe this request trains, or an error naming the first value out of its declared range.
    public func recipe(trainingCount: Int) throws -> ModelRecipe {
        guard Self.kinds.contains(kind) else {
            throw StudioError(.invalidInput, "kind \(kind.rawValue) cannot be trained here: choose one of \(Self.kinds.map(\.rawValue).joined(separator: ", "))")
        }
        do {
            if let hiddenUnits { try TrainingKnobs.hiddenUnits.check(hiddenUnits) }
            if let epochs { try TrainingKnobs.epochs.check(epochs) }
            if let learningRate { try TrainingKnobs.learningRate.check(learningRate) }
            if let patience { try TrainingKnobs.patience.check(patience) }
        } catch let error as SettingError {
            throw StudioError(.invalidInput, "\(error)")
        }
        var recipe = ModelRecipe.defaults(for: kind, trainingCount: trainingCount, seed: seed ?? TrainingKnobs.seed.defaultValue)
        if kind == .mlp { recipe.hidden = [hiddenUnits ?? TrainingKnobs.hiddenUnits.defaultValue] }
        if let epochs { recipe.options.epochs = epochs }
        if let learningRate { recipe.options.learningRate = learningRate }
        if let patience { recipe.options.patience = patience == 0 ? nil : patience }
        return recipe
    }
}
