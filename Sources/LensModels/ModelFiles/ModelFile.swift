import Foundation
import LensData
import LensTensor

/// What kind of classifier a model file holds.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    case knn, softmax, mlp, cnn
}

/// Everything a model file says about where a model came from, beside its tensors.
public struct ModelProvenance: Codable, Sendable, Equatable {
    public var kind: ModelKind
    public var classNames: [String]
    public var preprocessing: Preprocessing
    /// The dataset it was trained on: "orl", "fashion-mnist" or a folder's absolute path.
    public var dataset: String
    /// How that dataset was split, so `lens evaluate` can score the held-out test items.
    public var split: SplitPlan
    /// Number of items the dataset had at training time (a changed folder means a changed split).
    public var datasetCount: Int
    /// `LabeledImages.fingerprint` of the dataset at training time (nil in files from before it was kept).
    public var datasetFingerprint: String?
    public var trainingSeconds: Double?
    public var validationAccuracy: Double?

    public init(kind: ModelKind, classNames: [String], preprocessing: Preprocessing, dataset: String,
                split: SplitPlan, datasetCount: Int, datasetFingerprint: String? = nil,
                trainingSeconds: Double? = nil, validationAccuracy: Double? = nil) {
        self.kind = kind
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.dataset = dataset
        self.split = split
        self.datasetCount = datasetCount
        self.datasetFingerprint = datasetFingerprint
        self.trainingSeconds = trainingSeconds
        self.validationAccuracy = validationAccuracy
    }
}

/// A trained classifier of either family.
public enum TrainedModel: Sendable {
    case nearestNeighbor(NearestNeighborClassifier)
    case network(Network)
}

/// A model as the user keeps it: a safetensors file with parameters in PyTorch's names and layouts
/// and a `__metadata__` holding the architecture, classes, preprocessing, split and history.
///
/// Metadata keys (all values are strings, as safetensors requires; structured ones are JSON):
/// `format` ("neurallens-model"), `format_version`, `kind`, `classes`, `preprocessing`, `dataset`,
/// `split`, `dataset_count`, `provenance`, and per family `architecture` + `input_shape` +
/// `training` + `history` (networks) or `knn` (k, metric; tensors `train.images` [N, D] and
/// `train.labels` [N] int64). A network saved by a run with checkpoints also holds its
/// `TrainingState` (metadata `training_state`, tensors `training_state.*`) so that
/// `--resume` continues it exactly.
public struct ModelFile: Sendable {
    public static let formatName = "neurallens-model"
    public static let formatVersion = 1

    public var provenance: ModelProvenance
    public var model: TrainedModel
    public var history: TrainingHistory?
    public var options: TrainingOptions?
    /// Where training stood when this file was written (networks written by a run with checkpoints);
    /// nil in other files and in files from before it was kept.
    public var trainingState: TrainingState?

    public init(provenance: ModelProvenance, model: TrainedModel, history: TrainingHistory? = nil, options: TrainingOptions? = nil) {
        self.provenance = provenance
        self.model = model
        self.history = history
        self.options = options
    }

    private struct NeighborSettings: Codable { var k: Int; var metric: DistanceMetric }

    // MARK: writing

    public func write(to url: URL) throws {
        try AtomicFile.write(try serialized(), to: url)
    }

    public func serialized() throws -> Data {
        var metadata: [String: String] = [
            "format": Self.formatName,
            "format_version": String(Self.formatVersion),
            "kind": provenance.kind.rawValue,
            "classes": try jsonString(provenance.classNames),
            "preprocessing": try jsonString(provenance.preprocessing),
            "dataset": provenance.dataset,
            "split": try jsonString(provenance.split),
            "dataset_count": String(provenance.datasetCount),
            "provenance": try jsonString(provenance),
        ]
        var file = SafetensorsFile()
        switch model {
        case .nearestNeighbor(let classifier):
            metadata["knn"] = try jsonString(NeighborSettings(k: classifier.k, metric: classifier.metric))
            file["train.images"] = classifier.references
            file.setInt64("train.labels", Tensor(shape: [classifier.labels.count], scalars: classifier.labels.map(Float.init)))
        case .network(let network):
            metadata["architecture"] = network.architecture.json
            metadata["input_shape"] = try jsonString(network.architecture.inputShape)
            if let history { metadata["history"] = try jsonString(history) }
            if let options { metadata["training"] = try jsonString(options) }
            let counters = network.counterNames
            for (name, tensor) in network.parameters {
                if counters.contains(name) { file.setInt64(name, tensor) } else { file[name] = tensor }
            }
            if let trainingState {
                let (header, tensors, integers) = try trainingState.stored()
                metadata[TrainingState.metadataKey] = header
                for (name, tensor) in tensors { file[name] = tensor }
                for (name, tensor) in integers { file.setInt64(name, tensor) }
            }
        }
        file.metadata = metadata
        return file.serialized()
    }

    // MARK: reading

    public init(contentsOf url: URL) throws {
        let file = try SafetensorsFile(contentsOf: url)
        try self.init(file: file, path: url.path)
    }

    public init(file: SafetensorsFile, path: String) throws {
        func fail(_ problem: String) -> ModelFileError { ModelFileError(path: path, problem: problem) }
        let metadata = file.metadata
        guard metadata["format"] == Self.formatName else {
            throw fail("is not a NeuralLens model (no \"format\": \"\(Self.formatName)\" in its metadata)")
        }
        guard let versionText = metadata["format_version"], let version = Int(versionText) else {
            throw fail("has no format_version")
        }
        guard version == Self.formatVersion else {
            throw fail("has format version \(version); this lens reads version \(Self.formatVersion) (upgrade lens, or retrain)")
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = metadata[key] else { throw fail("metadata has no \"\(key)\"") }
            do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
                throw fail("metadata \"\(key)\" is not valid: \(DecodingProblem.words(error))")
            }
        }
        // A NaN or infinite parameter would poison every prediction (and crash the k-NN vote);
        // refuse it here, where the tensor can still be named.
        for name in file.names {
            guard let tensor = file[name], let index = tensor.scalars.firstIndex(where: { !$0.isFinite }) else { continue }
            throw fail("tensor \(name) holds \(tensor.scalars[index]) at element \(index); parameters must be finite (the file is damaged: retrain the model)")
        }
        let provenance = try decode(ModelProvenance.self, "provenance")
        guard provenance.classNames.count >= 2 else { throw fail("lists \(provenance.classNames.count) classes; a classifier needs at least 2") }
        guard provenance.preprocessing.size >= 1, [1, 3].contains(provenance.preprocessing.channels) else {
            throw fail("has invalid preprocessing \(provenance.preprocessing)")
        }
        self.provenance = provenance
        let featureCount = provenance.preprocessing.channels * provenance.preprocessing.size * provenance.preprocessing.size

        switch provenance.kind {
        case .knn:
            let settings = try decode(NeighborSettings.self, "knn")
            guard let images = file["train.images"] else { throw fail("has no tensor train.images") }
            guard let labelTensor = file["train.labels"] else { throw fail("has no tensor train.labels") }
            guard images.rank == 2, images.shape[1] == featureCount else {
                throw fail("train.images has shape \(images.shape) but the preprocessing gives \(featureCount) features")
            }
            // Stored images are preprocessed pixels in [0, 1]; far outside it, distances overflow to ±inf.
            if let index = images.scalars.firstIndex(where: { !(-1...2).contains($0) }) {
                throw fail("tensor train.images holds \(images.scalars[index]) at element \(index); its pixels must lie in [0, 1] (the file is damaged: retrain the model)")
            }
            guard labelTensor.shape == [images.shape[0]] else {
                throw fail("train.labels has shape \(labelTensor.shape) but train.images has \(images.shape[0]) rows")
            }
            // Checked as floats first: Int(_:) traps on values beyond Int's range.
            guard labelTensor.scalars.allSatisfy({ $0 >= 0 && $0 < Float(provenance.classNames.count) && $0 == $0.rounded() }) else {
                throw fail("train.labels holds a class index outside 0..<\(provenance.classNames.count)")
            }
            let labels = labelTensor.scalars.map { Int($0) }
            do {
                model = .nearestNeighbor(try NearestNeighborClassifier(
                    k: settings.k, metric: settings.metric, references: images, labels: labels,
                    classCount: provenance.classNames.count))
            } catch { throw fail("\(error)") }
            history = nil
            options = nil
            trainingState = nil
        case .softmax, .mlp, .cnn:
            guard let architectureJSON = metadata["architecture"] else { throw fail("metadata has no \"architecture\"") }
            let inputShape = try decode([Int].self, "input_shape")
            let architecture: Architecture
            do { architecture = try Architecture(json: architectureJSON, inputShape: inputShape) } catch {
                throw fail("architecture does not parse: \(error)")
            }
            guard inputShape.reduce(1, *) == featureCount else {
                throw fail("input shape \(inputShape) does not match the preprocessing (\(featureCount) values)")
            }
            guard architecture.outputShape == [provenance.classNames.count] else {
                throw fail("architecture outputs \(architecture.outputShape) but the model lists \(provenance.classNames.count) classes")
            }
            // Before the network allocates its layers: a few bytes of metadata must not ask for
            // terabytes. Small differences are left to `load`, which names the tensor.
            let declared = MemoryEstimate(architecture, batchSize: 1).parameters
            let stored = file.names.reduce(0.0) { $0 + Double(file[$1]?.count ?? 0) }
            guard declared <= stored + 1_000_000 else {
                throw fail("architecture declares \(MemoryEstimate.format(declared, unit: "")) parameters but the file holds \(MemoryEstimate.format(stored, unit: ""))")
            }
            var network = Network(architecture: architecture, seed: 0)
            var parameters: [String: Tensor] = [:]
            for name in file.names where !name.hasPrefix(TrainingState.prefix) { parameters[name] = file[name] }
            do { try network.load(parameters: parameters) } catch { throw fail("\(error)") }
            model = .network(network)
            let shapes = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor.shape) })
            trainingState = try TrainingState.read(from: file, parameters: shapes, problem: fail)
            history = metadata["history"] == nil ? nil : try decode(TrainingHistory.self, "history")
            options = metadata["training"] == nil ? nil : try decode(TrainingOptions.self, "training")
        }
    }

    // MARK: using

    /// Class probabilities for a batch of preprocessed images [N, C, H, W].
    public func probabilities(_ images: Tensor) throws -> Tensor {
        switch model {
        case .nearestNeighbor(let classifier):
            let predictions = try classifier.predict(images)
            return Tensor(shape: [predictions.count, provenance.classNames.count],
                          scalars: predictions.flatMap(\.probabilities))
        case .network(let network):
            return SoftmaxCrossEntropy.probabilities(try finiteLogits(network, images))
        }
    }

    /// Logits, refused when not finite: finite weights can still overflow Float32 (a hostile or
    /// damaged file), and NaN scores would be printed as if they meant something.
    private func finiteLogits(_ network: Network, _ images: Tensor) throws -> Tensor {
        let logits = network.logits(images)
        if let index = logits.scalars.firstIndex(where: { !$0.isFinite }) {
            throw ModelRecipeError("the model's output for item \(index / max(provenance.classNames.count, 1) + 1) is \(logits.scalars[index]): "
                                   + "its weights overflow Float32 (the file is damaged: retrain the model)")
        }
        return logits
    }

    /// Predicted class of each image (k-NN: the vote with its tie-break; networks: argmax).
    public func predictedLabels(_ images: Tensor) throws -> [Int] {
        switch model {
        case .nearestNeighbor(let classifier): return try classifier.predict(images).map(\.label)
        case .network(let network): return try finiteLogits(network, images).argmaxRows()
        }
    }
}

public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "model \(path) \(problem)" }
}

private func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
