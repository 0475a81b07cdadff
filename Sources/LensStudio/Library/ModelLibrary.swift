import Foundation
import LensData
import LensExplain
import LensModels
import LensONNX
import LensTensor

/// The models a studio session serves, by an id it made itself (requests name models by id, never
/// by path), each evaluated once in the background; the data new training jobs use; the job runner.
/// A class shared by every request: its mutable state is read and written only under `lock`.
public final class ModelLibrary: @unchecked Sendable {
    /// A model the session serves.
    public struct Entry: Sendable {
        public var id: String
        public var model: ModelFile
        /// Where it lives on disk, if anywhere.
        public var file: URL?
    }

    /// What the pages list.
    public struct Summary: Codable, Sendable {
        public var id: String
        public var kind: String
        public var dataset: String
        public var classes: Int
        /// "ready", "evaluating" or the reason evaluation failed.
        public var evaluation: String
    }

    /// The library's state for the pages: its models and what it is busy with.
    public struct State: Codable, Sendable {
        public var models: [Summary]
        /// What is being prepared ("training the demo's cnn on orl"), nil when idle.
        public var preparing: String?
        /// A preparation that failed.
        public var problem: String?
        public var trainingData: String?
        public var methods: [String]
    }

    private let lock = NSLock()
    /// Held while a dataset loads, so that models evaluated at once load their shared data once.
    private let loading = NSLock()
    private var entries: [Entry] = []
    private var evaluations: [String: Result<EvaluatedModel, StudioError>] = [:]
    private var datasets: [String: StudioDataset] = [:]
    private var trainingData: StudioDataset?
    private var preparing: String?
    private var problem: String?
    /// Where training jobs write their models.
    public let directory: URL
    public let runner = TrainingRunner()
    /// The models' slow figures (templates, unit galleries, nearest index, trust badges), each computed once in the background.
    let figures = ModelFigures()
    /// Where the slowest figures (the trust checks) are kept between runs.
    let figureCache: FigureCache

    public init(directory: URL, figureCache: FigureCache = .none) {
        self.directory = directory
        self.figureCache = figureCache
    }

    // MARK: reading

    public var state: State {
        lock.withLock {
            State(models: entries.map { entry in
                let evaluation: String = switch evaluations[entry.id] {
                case .success?: "ready"
                case .failure(let error)?: error.description
                case nil: "evaluating"
                }
                return Summary(id: entry.id, kind: entry.model.provenance.kind.rawValue, dataset: entry.model.provenance.dataset,
                               classes: entry.model.provenance.classNames.count, evaluation: evaluation)
            }, preparing: preparing, problem: problem, trainingData: trainingData?.source.name,
                  methods: AttributionMethod.names)
        }
    }

    /// Every knob, with the defaults for the size of the data this library trains on.
    public var settings: SettingsCatalog {
        SettingsCatalog(dataScale: lock.withLock { trainingData }.map { DataScale(trainingCount: $0.split.train.count) })
    }

    /// The model with `id`, or the first one when `id` is nil.
    public func entry(_ id: String?) throws -> Entry {
        try lock.withLock {
            guard let id else {
                guard let first = entries.first else {
                    throw StudioError(.notFound, preparing.map { "no model is ready yet: \($0)" } ?? "no model is loaded")
                }
                return first
            }
            guard let entry = entries.first(where: { $0.id == id }) else {
                throw StudioError(.notFound, "no model \"\(id)\"; the models are \(entries.map(\.id).joined(separator: ", "))")
            }
            return entry
        }
    }

    /// The model's evaluation on its test split; nil while it is still being computed.
    public func evaluation(_ id: String?) throws -> EvaluatedModel? {
        let entry = try entry(id)
        return try lock.withLock { try evaluations[entry.id]?.get() }
    }

    // MARK: adding

    /// Serves `model` as `id` (made unique and safe) and evaluates it in the background, on
    /// `source` instead of the model's own dataset when given. Returns the id used.
    @discardableResult
    public func add(_ model: ModelFile, id: String, file: URL? = nil, source: DatasetSource? = nil) -> String {
        let used: String = lock.withLock {
            let base = Self.safeID(id)
            var candidate = base, n = 2
            while entries.contains(where: { $0.id == candidate }) { candidate = "\(base)-\(n)"; n += 1 }
            entries.append(Entry(id: candidate, model: model, file: file))
            return candidate
        }
        Thread.detachNewThread { [self] in
            let result: Result<EvaluatedModel, StudioError>
            do {
                result = .success(try EvaluatedModel(model: model, dataset: dataset(for: model, source: source), name: used))
            } catch {
                result = .failure(error as? StudioError ?? StudioError(.failed, FileProblem.message(error)))
            }
            lock.withLock { evaluations[used] = result }
            // The data is loaded now: draw the templates (a first visit finds them ready, not "computing…" behind
            // the other figures) and index the data for the Explain page, both once, in the background.
            _ = try? templates(used)
            _ = try? nearestIndex(used)
        }
        return used
    }

    /// Loads the model file at `url` (a path the person starting the server gave) and serves it.
    @discardableResult
    public func load(_ url: URL, source: DatasetSource? = nil) throws -> String {
        let model: ModelFile
        do {
            model = url.pathExtension.lowercased() == "onnx" ? try ONNXImport().load(contentsOf: url).model : try ModelFile(contentsOf: url)
        } catch {
            throw StudioError(.failed, FileProblem.message(error))
        }
        return add(model, id: url.deletingPathExtension().lastPathComponent, file: url, source: source)
    }

    /// The dataset `model` was trained on (or `source`), loaded once per source and preprocessing.
    public func dataset(for model: ModelFile, source: DatasetSource? = nil) throws -> StudioDataset {
        // An imported model (ONNX, a state_dict) records no dataset: "" would read the working folder.
        guard source != nil || !model.provenance.dataset.isEmpty else { throw Self.noDataset }
        let chosen = source ?? DatasetSource(argument: model.provenance.dataset)
        let key = "\(chosen.name)|\(model.provenance.preprocessing)|\(model.provenance.split.seed)"
        loading.lock()
        defer { loading.unlock() }
        if let cached = lock.withLock({ datasets[key] }) {
            try check(cached, against: model)
            return cached
        }
        let loaded = try StudioDataset(for: model, source: chosen)
        lock.withLock {
            datasets[key] = loaded
            if trainingData == nil { trainingData = loaded }
        }
        return loaded
    }

    /// What needs a dataset, for a model served without one; the uploaded images' maps do not.
    public static let noDataset = StudioError(.notApplicable, "this model records no dataset and none was given: "
        + "uploaded images get predictions and maps, but the overview, nearest images and trust checks need the model's images")

    private func check(_ dataset: StudioDataset, against model: ModelFile) throws {
        guard dataset.data.classNames == model.provenance.classNames else {
            throw StudioError(.invalidInput, "dataset \(dataset.source.name) does not have the classes of this model")
        }
    }

    /// Sets the data training jobs use.
    public func setTrainingData(_ dataset: StudioDataset) {
        lock.withLock { trainingData = dataset }
    }

    /// Records what the library is preparing (nil: done) or a preparation that failed.
    public func setPreparing(_ message: String?, problem: String? = nil) {
        lock.withLock {
            preparing = message
            if let problem { self.problem = problem }
        }
    }

    // MARK: training

    /// Starts a training job on the training data; the finished model joins the library under the
    /// returned name. Throws (busy) while a job runs.
    @discardableResult
    public func startTraining(_ request: TrainingRequest) throws -> String {
        guard let data = lock.withLock({ trainingData }) else {
            throw StudioError(.busy, "the training data is still loading; try again in a moment")
        }
        // A value out of its range is the request's fault whether or not a job is running.
        _ = try request.recipe(trainingCount: data.split.train.count)
        guard !runner.isRunning else { throw StudioError(.busy, "a training job is already running: wait for it or cancel it first") }
        let stamp = Int(Date().timeIntervalSince1970)
        let name = lock.withLock {
            var candidate = "trained-\(request.kind.rawValue)-\(stamp)", n = 2
            while entries.contains(where: { $0.id == candidate }) { candidate = "trained-\(request.kind.rawValue)-\(stamp)-\(n)"; n += 1 }
            return candidate
        }
        let file = directory.appendingPathComponent(name + ".safetensors")
        try OutputCheck.check([OutputTarget("the models folder", directory.path, .modelsFolder)], inputs: InputPath.data(data.source, label: "training data"))
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw StudioError(.failed, "cannot make the models folder \(OneLine.escape(directory.path)): \(FileProblem.words(error))")
        }
        try OutputCheck.check([OutputTarget("the new model", file.path, .model)], inputs: InputPath.data(data.source, label: "training data"))
        try runner.start(request, dataset: data, name: name, file: file) {
            [weak self] name, file, model in self?.add(model, id: name, file: file)
        }
        return name
    }

    /// Lowercase letters, digits, '-' and '_' only: ids appear in URLs and page text.
    static func safeID(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        let cleaned = String(text.lowercased().map { allowed.contains($0) ? $0 : "-" }.prefix(60))
        return cleaned.isEmpty ? "model" : cleaned
    }
}
