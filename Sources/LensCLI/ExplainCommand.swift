import ArgumentParser
import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what a model learned and why it decided: templates, nearest images, units and attribution maps.",
        discussion: """
        Methods: \(ExplanationMethod.names.joined(separator: ", ")). Attribution maps explain the \
        predicted class of each image unless --class names another. Images come from --image files \
        or from a split of the dataset the model was trained on (--split test). Every map is written \
        as a picture in the output folder (index.html shows them all), with --npy also as raw float32 \
        arrays readable by numpy.load, shaped like the model's input.

        Examples:
          lens explain --model m.safetensors --method saliency --image me.png --out maps
          lens explain --model m.safetensors --method gradcam --split test --out maps
          lens explain --model m.safetensors --method smoothgrad --class s12 \\
            --image a.png --out maps --npy --json
        """)

    @Option(help: "A model file written by `lens train`.")
    var model: String

    @Option(help: "What to show: \(ExplanationMethod.names.joined(separator: ", ")).")
    var method: String

    @Option(name: .customLong("image"), help: "An image to explain (PNG, JPEG or PGM); repeat for more.")
    var images: [String] = []

    @Option(help: "Explain images of this split of the model's dataset instead: train, validation or test.")
    var split: String?

    @Option(parsing: .unconditional, help: "At most this many images of --split, the first ones in split order.")
    var limit: Int = 16

    @Option(help: "A layer by name, for gradcam, guided-gradcam, units and deconvnet projections.")
    var layer: String?

    @Option(name: .customLong("class"), help: "Explain this class (by name) instead of each image's predicted class.")
    var className: String?

    @Option(help: "Dataset to take --split images and the mean image from (default: the one the model records).")
    var data: String?

    @Option(help: "Folder for the pictures, index.html and --npy files (created if missing).")
    var out: String

    @Flag(help: "Also write each raw map as DIR/<image>.<method>.npy (float32, the model input's shape).")
    var npy = false

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Option(parsing: .unconditional, help: "Seed for the noise of smoothgrad.")
    var seed: UInt64 = 0

    @OptionGroup(title: "Attribution settings")
    var attribution: AttributionOptions

    func validate() throws {
        _ = try ExplanationMethod.named(method)
        guard limit >= 1 else { throw ValidationError("--limit \(limit) is invalid: give 1 or more images") }
        if let split, SplitChoice(rawValue: split) == nil || split == "all" {
            throw ValidationError("--split \(split) is not one of train, validation, test")
        }
        if !images.isEmpty && split != nil { throw ValidationError("give --image files or --split, not both") }
    }

    func run() throws {
        let report = try explain()
        if json { try printJSON(report) } else { report.printSummary() }
    }

    /// Computes the explanation, writes its files into --out, and returns the figures.
    func explain() throws -> AttributionReport {
        let explanation = try ExplanationMethod.named(method)
        let modelFile = try ModelFile(contentsOf: URL(fileURLWithPath: model))
        switch explanation {
        case .attribution(let method):
            return try explainAttribution(method, modelFile)
        case .templates, .nearest, .units:
            throw CLIError("--method \(explanation.name) is not available yet in this build")
        }
    }

    // MARK: Attribution maps

    private func explainAttribution(_ method: AttributionMethod, _ modelFile: ModelFile) throws -> AttributionReport {
        guard case .network(var network) = modelFile.model else {
            throw CLIError("--method \(method.rawValue) needs a network; \(model) is a k-NN model: try --method nearest")
        }
        let settings = try attribution.settings(layer: layer, seed: seed)
        let classes = modelFile.provenance.classNames
        var context = AttributionContext()
        var prepared: PreparedData?
        func dataset() throws -> PreparedData {
            if let prepared { return prepared }
            let loaded = try Workflow.prepare(data ?? modelFile.provenance.dataset, preprocessing: modelFile.provenance.preprocessing,
                                              plan: modelFile.provenance.split)
            prepared = loaded
            return loaded
        }
        let inputs = try explainedInputs(modelFile, dataset: dataset)
        if attribution.baseline == .mean {
            let prepared = try dataset()
            context.meanImage = prepared.images(prepared.split.train).meanOfItems()
        }
        let batch = Tensor.stack(inputs.map(\.image))
        let targets = try targetClasses(for: batch, network: network, classes: classes)
        if Terminal.isInteractive {
            context.progress = { fraction in Terminal.progress(fraction, "\(method.rawValue): \(inputs.count) image(s)") }
        }
        let result = try method.attribute(&network, inputs: batch, targets: targets, settings: settings, context: context)
        if Terminal.isInteractive { Terminal.progress(1, "\(method.rawValue): \(inputs.count) image(s)", done: true) }

        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let probabilities = SoftmaxCrossEntropy.probabilities(result.logits)
        let predicted = result.logits.argmaxRows()
        let itemShape = Array(batch.shape.dropFirst())
        var items: [AttributionReport.Item] = []
        for (row, input) in inputs.enumerated() {
            _ = result.maps.slice(row..<(row + 1)).reshaped(itemShape)
            let stem = "\(input.name).\(method.rawValue)"
            var files: [String] = []
            if npy {
                throw CLIError("--npy is not available yet in this build")
            }
            items.append(AttributionReport.Item(
                image: input.name, trueClass: input.label.map { classes[$0] }, predicted: classes[predicted[row]],
                target: classes[targets[row]], targetProbability: probabilities.scalars[row * classes.count + targets[row]],
                convergenceDelta: result.convergenceDelta?[row], files: files))
        }
        return AttributionReport(model: model, method: method.rawValue, settings: result.settings, items: items,
                                 directory: directory.path)
    }

    private struct ExplainedInput {
        var name: String
        var image: Tensor
        var label: Int?
    }

    /// The --image files, decoded the way the model records, or the first --limit images of --split.
    private func explainedInputs(_ modelFile: ModelFile, dataset: () throws -> PreparedData) throws -> [ExplainedInput] {
        if !images.isEmpty {
            var seen: [String: Int] = [:]
            return try images.map { path in
                let url = URL(fileURLWithPath: path)
                let image = try ImageDecoder.decode(contentsOf: url)
                var name = url.deletingPathExtension().lastPathComponent
                seen[name, default: 0] += 1
                if seen[name]! > 1 { name += "-\(seen[name]!)" }
                return ExplainedInput(name: name, image: modelFile.provenance.preprocessing.apply(image), label: nil)
            }
        }
        guard let choice = SplitChoice(rawValue: split ?? "") else {
            throw CLIError("give images to explain: --image FILE (repeatable) or --split test")
        }
        let prepared = try dataset()
        let indices = Array(Workflow.indices(choice, of: prepared).prefix(limit))
        guard !indices.isEmpty else { throw CLIError("the \(choice.rawValue) split of \(prepared.source.name) is empty") }
        let tensor = prepared.images(indices)
        let itemShape = Array(tensor.shape.dropFirst())
        return indices.enumerated().map { row, index in
            let label = prepared.data.labels[index]
            return ExplainedInput(name: "\(choice.rawValue)-\(index)-\(prepared.data.classNames[label])",
                                  image: tensor.slice(row..<(row + 1)).reshaped(itemShape), label: label)
        }
    }

    /// --class for every image, or each image's predicted class.
    private func targetClasses(for batch: Tensor, network: Network, classes: [String]) throws -> [Int] {
        if let className {
            guard let index = classes.firstIndex(of: className) else {
                throw ExplainError.unknownClass(name: className, classes: classes)
            }
            return Array(repeating: index, count: batch.shape[0])
        }
        return network.predictions(batch)
    }
}

/// What `lens explain` prints for an attribution method (`--json` gives it whole).
struct AttributionReport: Encodable {
    var model: String
    var method: String
    var settings: [String: String]
    var items: [Item]
    var directory: String

    struct Item: Encodable {
        var image: String
        var trueClass: String?
        var predicted: String
        var target: String
        var targetProbability: Float
        var convergenceDelta: Float?
        var files: [String]

        enum CodingKeys: String, CodingKey {
            case image, predicted, target, files
            case trueClass = "true_class", targetProbability = "target_probability", convergenceDelta = "convergence_delta"
        }
    }

    func printSummary() {
        print("\(method) (\(settings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))) → \(directory)")
        for item in items {
            var line = "\(item.image): explains \(item.target) (p = \(String(format: "%.3f", item.targetProbability)))"
            if item.predicted != item.target { line += ", predicted \(item.predicted)" }
            if let delta = item.convergenceDelta { line += String(format: ", convergence delta %.2g", delta) }
            print(line)
        }
    }
}

extension Tensor {
    /// The mean of the items along the first axis (the mean training image).
    func meanOfItems() -> Tensor {
        let count = shape.first ?? 0, itemShape = Array(shape.dropFirst()), itemSize = itemShape.reduce(1, *)
        var sum = [Double](repeating: 0, count: itemSize)
        for item in 0..<count {
            for i in 0..<itemSize { sum[i] += Double(scalars[item * itemSize + i]) }
        }
        return Tensor(shape: itemShape, scalars: sum.map { Float($0 / Double(max(count, 1))) })
    }
}
