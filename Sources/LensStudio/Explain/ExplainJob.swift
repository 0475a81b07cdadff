import Foundation
import LensData
import LensExplain
import LensModels

/// What `lens explain` asks for, in the library's words: the model, the images (files, or the
/// first of a split of its dataset), the settings, and the folder its pages go to.
public struct ExplainJob: Sendable {
    public var modelFile: ModelFile
    /// The model as the user named it (a path), for titles and the JSON.
    public var modelName: String
    public var imagePaths: [String] = []
    public var split: SplitChoice?
    public var limit = StudioKnobs.limit.defaultValue
    public var layer: String?
    /// The class to explain by name; nil: each image's predicted class.
    public var className: String?
    /// The dataset to read (nil: the one the model records).
    public var data: String?
    public var maxPixels = ImageDecoder.defaultMaxPixels
    public var out: URL
    /// Also write each raw map as float32 .npy.
    public var npy = false
    public var attribution = AttributionSettings()
    public var inspection = InspectionSettings()
    /// Model randomisation's and faithfulness's settings; `faithfulnessBaseline` narrows the latter.
    public var trust = TrustSettings()
    public var faithfulnessBaseline: AttributionSettings.Baseline?
    /// Data randomisation too (retrains the model twice).
    public var retrain = false
    /// Units: the first this many of the layer.
    public var maxUnits = StudioKnobs.maxUnits.defaultValue
    /// Feature visualisation: the unit (or channel) of `layer`; nil: unit 0. A class objective comes from `className`.
    public var unit: Int?
    /// Feature visualisation: force a channel (true) or unit (false) objective; nil: the layer's kind decides.
    public var channelObjective: Bool?
    public var featureVis = FeatureVisSettings()
    /// The embedding view: every block's layer rather than `layer` alone.
    public var allLayers = false
    public var embedding = EmbeddingSettings()
    /// The embedding view: the first this many images of the split; nil: the whole split.
    public var embeddingLimit: Int?
    /// Told each fraction done of a long step, with what the step is.
    public var progress: @Sendable (String, Double) -> Void = { _, _ in }
    /// Told once the dataset is read (the CLI prints its notes).
    public var datasetLoaded: @Sendable (StudioDataset) -> Void = { _ in }

    public init(modelFile: ModelFile, modelName: String, out: URL) {
        self.modelFile = modelFile
        self.modelName = modelName
        self.out = out
    }
}

/// Why an explain job cannot run, in the user's words; the CLI names the flag that fixes it.
public enum ExplainProblem: Error, CustomStringConvertible, Equatable {
    /// The method needs a network and the model is k-NN.
    case needsNetwork(method: String, model: String)
    /// The method cannot explain this architecture.
    case unavailable(method: String, reason: String)
    /// The model records no dataset and none was given.
    case needsDataset(model: String)
    /// Neither image files nor a split were given.
    case needsImages
    case emptySplit(split: String, dataset: String)
    /// Units need a layer: one of these.
    case needsLayer(method: String, layers: [String])

    public var description: String {
        switch self {
        case let .needsNetwork(method, model): "\(method) needs a network; \(model) is a k-NN model: try nearest"
        case let .unavailable(method, reason): "\(method): \(reason)"
        case let .needsDataset(model): "this needs the model's dataset, and \(model) records none: name the dataset"
        case .needsImages: "give images to explain: image files, or a split of the model's dataset"
        case let .emptySplit(split, dataset): "the \(split) split of \(dataset) is empty"
        case let .needsLayer(method, layers): "\(method) needs a layer: one of \(layers.joined(separator: ", "))"
        }
    }
}
