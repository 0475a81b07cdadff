import ArgumentParser
import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensStudio
import LensTensor

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what a model learned and why it decided: templates, nearest images, units, maps and their checks.",
        discussion: """
        Methods: \(ExplanationMethod.names.joined(separator: ", ")). Attribution maps explain the \
        predicted class of each image unless --class names another. Images come from --image files \
        or from a split of the dataset the model was trained on (--split test). Pictures and \
        DIR/index.html go to --out; --npy also writes each raw map as float32 arrays readable by \
        numpy.load, shaped like the model's input. A PyTorch state_dict saved with \
        safetensors.torch.save_file works too, given --arch and --class-names.

        Examples:
          lens explain --model m.safetensors --method saliency --image me.png --out maps
          lens explain --model m.safetensors --method gradcam --split test --out maps
          lens explain --model m.safetensors --method units --layer relu2 --out units
          lens explain --model m.safetensors --method sanity --samples 32 --out trust --json
          lens explain --model m.safetensors --method feature-vis --layer relu1 --unit 3 --out vis
          lens explain --model m.safetensors --method embedding --all-layers --split test --out layers
          lens explain --model m.onnx --list-layers
        """)

    @Option(help: "A model file written by `lens train`, an ONNX classifier (.onnx), or a PyTorch state_dict with --arch.")
    var model: String

    @Option(help: "What to show: \(ExplanationMethod.names.joined(separator: ", ")).")
    var method: String?

    @Flag(name: .customLong("list-layers"), help: "Print the layers with image-shaped outputs (the names --layer takes) and their shapes, then stop.")
    var listLayers = false

    @Option(name: .customLong("image"), help: "An image to explain (PNG, JPEG or PGM); repeat for more.")
    var images: [String] = []

    @Option(help: "Explain images of this split of the model's dataset instead: train, validation or test.")
    var split: String?

    @Option(parsing: .unconditional, help: StudioKnobs.limit.flagHelp)
    var limit: Int?

    @Option(help: "A layer by name, for gradcam, guided-gradcam, units and deconvnet projections.")
    var layer: String?

    @Option(name: .customLong("class"), help: "Explain this class (by name) instead of each image's predicted class.")
    var className: String?

    @OptionGroup(title: "Feature visualisation and the embedding view")
    var vis: FeatureVisOptions

    @Option(help: "Dataset for --split, the mean image, nearest images and units (default: the one the model records).")
    var data: String?

    @Option(help: "Folder for the pictures, index.html and --npy files (created if missing).")
    var out: String?

    @Flag(help: "Also write each raw map as DIR/<image>.<method>.npy (float32, the model input's shape).")
    var npy = false

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Option(parsing: .unconditional, help: "Seed for smoothgrad's noise and the trust checks' choices.")
    var seed: UInt64 = AttributionSettings.Knobs.seed.defaultValue

    @OptionGroup(title: "Attribution settings")
    var attribution: AttributionOptions

    @OptionGroup(title: "Templates, nearest images, units and trust checks")
    var inspection: InspectionOptions

    @OptionGroup(title: ModelImportOptions.title)
    var imported: ModelImportOptions

    @OptionGroup var imageOptions: ImageOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if listLayers {
            guard method == nil, out == nil else { throw ValidationError("--list-layers prints the layers and stops: leave out --method and --out") }
            return
        }
        guard let method else { throw ValidationError("Missing expected argument '--method <method>'") }
        guard out != nil else { throw ValidationError("Missing expected argument '--out <out>'") }
        _ = try ExplanationMethod.named(method)
        try StudioKnobs.limit.check(limit, flag: "--limit")
        if let split, SplitChoice(rawValue: split) == nil || split == "all" {
            throw ValidationError("--split \(split) is not one of train, validation, test")
        }
        if !images.isEmpty && split != nil { throw ValidationError("give --image files or --split, not both") }
    }

    func run() throws {
        if listLayers {
            let layers = try imageLayers()
            if json { try printJSON(layers) } else { print(layers.summary) }
            return
        }
        let output = try explain()
        if json { try printJSON(output) } else { print(output.summary) }
    }

    /// Computes the explanation, writes its files into --out, and returns the figures. A setting
    /// found out of range only once the model and images are known (an occlusion window larger
    /// than the image, more neighbours than training images) is told as the flag that sets it.
    func explain() throws -> ExplainOutput {
        do { return try explainUnflagged() } catch let ExplainError.settingOutOfRange(setting, value, allowed) {
            let error = SettingError(setting: setting, value: value, allowed: allowed)
            guard let flag = Self.settingFlags[setting] else { throw ExplainError.settingOutOfRange(setting: setting, value: value, allowed: allowed) }
            throw CLIError(error.message(flag: flag))
        }
    }

    /// The knobs' names in the library's messages and the flags that set them.
    static let settingFlags: [String: String] = {
        typealias Attribution = AttributionSettings.Knobs
        typealias Inspection = InspectionSettings.Knobs
        typealias Trust = TrustSettings.Knobs
        return [Attribution.integrationSteps.name: "--steps", Attribution.smoothGradSamples.name: "--noise-samples",
                Attribution.smoothGradNoise.name: "--noise", Attribution.occlusionWindow.name: "--window",
                Attribution.occlusionStride.name: "--stride", Attribution.occlusionValue.name: "--occlusion-value",
                Attribution.baseline.name: "--baseline", Inspection.neighbors.name: "--k", Inspection.topImages.name: "--top",
                Inspection.unusualPercentile.name: "--unusual-percentile", Trust.samples.name: "--samples",
                Trust.stepFraction.name: "--step-fraction", "unit": "--unit", "class": "--class",
                FeatureVisSettings.Knobs.steps.name: "--ascent-steps", TSNESettings.Knobs.perplexity.name: "--perplexity"]
    }()

    private func explainUnflagged() throws -> ExplainOutput {
        let explanation = try ExplanationMethod.named(method ?? "")
        try checkOutput(loaded: nil)
        let job = try job()
        try checkOutput(loaded: job.modelFile)
        let session = ExplainSession(job)
        do {
            switch explanation {
            case .attribution(.deconvnet) where images.isEmpty && split == nil && layer != nil:
                return .units(try session.units(layer: layer!, projections: true))
            case .attribution(let method):
                return .attribution(try session.attribution(method))
            case .templates:
                return .templates(try session.templates())
            case .nearest:
                return .nearest(try session.nearest())
            case .units:
                guard let layer else {
                    // image-shaped layers only: an imported model's constants (normalisation means) are no layer to ask about
                    let network = try session.network(for: "units")
                    let spatial = Set(ReceptiveField.spatialLayers(of: network.architecture))
                    let layers = ImageLayers(network, model: model).layers.map(\.name).filter(spatial.contains)
                    throw ExplainProblem.needsLayer(method: "units", layers: layers.isEmpty ? session.layerNames : layers)
                }
                return .units(try session.units(layer: layer, projections: false))
            case .sanity:
                return .sanity(try session.sanity())
            case .faithfulness:
                return .faithfulness(try session.faithfulness())
            case .featureVis:
                return .featureVis(try session.featureVis())
            case .embedding:
                return .embedding(try session.embedding())
            }
        } catch let problem as ExplainProblem {
            throw CLIError(Self.flagged(problem))
        } catch let error as ReportError {
            throw CLIError("--out \(error)")
        }
    }

    /// The library's job from the flags (each setting checked by the library, the flag named in its error).
    func job() throws -> ExplainJob {
        var job = ExplainJob(modelFile: try imported.load(model), modelName: model,
                             out: URL(fileURLWithPath: outPath, isDirectory: true))
        job.imagePaths = images
        job.split = split.flatMap(SplitChoice.init(rawValue:))
        job.limit = limit ?? StudioKnobs.limit.defaultValue
        job.embeddingLimit = limit
        job.layer = layer
        job.className = className
        job.data = data
        job.maxPixels = imageOptions.maxPixels
        job.npy = npy
        job.attribution = try attribution.settings(layer: layer, seed: seed)
        job.inspection = try inspection.inspection()
        job.trust = try inspection.trust(seed: seed, baseline: nil)
        job.faithfulnessBaseline = attribution.baseline
        job.retrain = inspection.retrain
        job.maxUnits = inspection.maxUnits
        try vis.apply(to: &job)
        job.progress = { label, fraction in
            if fraction < 0 { Terminal.status(label) } else if Terminal.isInteractive { Terminal.progress(fraction, label, done: fraction >= 1) }
        }
        job.datasetLoaded = { $0.reportNotes() }
        return job
    }

    /// --out (required unless --list-layers, which writes nothing).
    var outPath: String { out ?? "" }

    /// --list-layers: the model's layers with image-shaped outputs.
    func imageLayers() throws -> ImageLayers {
        guard case .network(let network) = try imported.load(model).model else {
            throw CLIError("--list-layers: \(model) is a k-NN model, which has no layers")
        }
        return ImageLayers(network, model: model)
    }

    /// The library's problem with the flag that fixes it.
    static func flagged(_ problem: ExplainProblem) -> String {
        switch problem {
        case let .needsNetwork(method, model): "--method \(method) needs a network; \(model) is a k-NN model: try --method nearest"
        case let .unavailable(method, reason): "--method \(method): \(reason)"
        case let .needsDataset(model): "this needs the model's dataset, and \(model) records none: give --data"
        case .needsImages: "give images to explain: --image FILE (repeatable) or --split test"
        case .emptySplit: "\(problem)"
        case let .needsLayer(method, layers):
            "--method \(method) needs --layer: one of \(layers.prefix(12).joined(separator: ", "))"
                + (layers.count > 12 ? " … (\(layers.count) in all)" : "") + "; --list-layers prints them with their shapes"
        }
    }
}

extension ExplainCommand {
    /// --out against everything explain reads: the model, its class names, the images, and the
    /// data (--data, or once the model is loaded the folder it records).
    func checkOutput(loaded: ModelFile?) throws {
        var inputs = InputPath.model(model, data: data, loaded: loaded) + images.map { InputPath("--image", $0) }
        inputs += imported.inputs
        try output.check([OutputTarget("--out", outPath, .reportFolder)], inputs: inputs, early: loaded == nil)
    }
}

/// What `lens explain` returns: one report per kind of method (`--json` prints it whole).
enum ExplainOutput: Encodable {
    case attribution(AttributionReport)
    case templates(TemplatesReport)
    case nearest(NearestReport)
    case units(UnitsReport)
    case sanity(SanityRun)
    case faithfulness(FaithfulnessReport)
    case featureVis(FeatureVisOutput)
    case embedding(EmbeddingOutput)

    func encode(to encoder: Encoder) throws {
        switch self {
        case .attribution(let report): try report.encode(to: encoder)
        case .templates(let report): try report.encode(to: encoder)
        case .nearest(let report): try report.encode(to: encoder)
        case .units(let report): try report.encode(to: encoder)
        case .sanity(let report): try TrustOutput(report).encode(to: encoder)
        case .faithfulness(let report): try TrustOutput(report).encode(to: encoder)
        case .featureVis(let report): try report.encode(to: encoder)
        case .embedding(let report): try report.encode(to: encoder)
        }
    }

    /// Lines for a terminal.
    var summary: String {
        switch self {
        case .attribution(let report): report.summary
        case .templates(let report): report.summary
        case .nearest(let report): report.summary
        case .units(let report): report.summary
        case .sanity(let report): ExplainSummaries.sanity(report)
        case .faithfulness(let report): ExplainSummaries.faithfulness(report)
        case .featureVis(let report): report.summary
        case .embedding(let report): report.summary
        }
    }

    var attributionReport: AttributionReport? { if case .attribution(let report) = self { report } else { nil } }
}
