import ArgumentParser
import Foundation
import LensData
import LensModels
import LensStudio
import LensTensor

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Top classes with probabilities for each image.",
        discussion: """
        Images of any size and colour are preprocessed the way the model records (crop, \
        resize, gray).

        Examples:
          lens predict --model faces.safetensors photo.jpg
          lens predict --model faces.safetensors --top 3 --json a.png b.png
          lens predict --model m.onnx --normalize imagenet --class-names names.txt cat.jpg
        """)

    @Option(help: "A model file written by `lens train`, an ONNX classifier (.onnx), or a PyTorch state_dict with --arch.")
    var model: String

    @OptionGroup(title: ModelImportOptions.title)
    var imported: ModelImportOptions

    @Option(parsing: .unconditional, help: StudioKnobs.topClasses.plainHelp)
    var top: Int = StudioKnobs.topClasses.defaultValue

    @Flag(help: "Print the predictions as JSON.")
    var json = false

    @OptionGroup var imageOptions: ImageOptions

    @Argument(help: "Image files (PNG, JPEG or PGM).")
    var images: [String]

    /// One image's prediction as printed: the library's `Prediction`, cut to --top classes.
    struct Result: Encodable {
        var image: String
        var predicted: String
        var top: [ClassProbability]
        var neighbors: [VotingNeighbor]?

        init(image: String, prediction: Prediction, top: Int) {
            self.image = image
            predicted = prediction.predicted
            self.top = Array(prediction.classes.prefix(top))
            neighbors = prediction.neighbors
        }
    }

    func validate() throws {
        try StudioKnobs.topClasses.check(top, flag: "--top")
        guard !images.isEmpty else { throw ValidationError("give at least one image to predict") }
    }

    /// An image that could not be predicted, with the line that says why.
    struct Failure: Error, CustomStringConvertible {
        var image: String
        var description: String
    }

    /// Every image's prediction, or the first image's failure.
    func predict() throws -> [Result] {
        let (results, failures) = try predictEach()
        if let failure = failures.first { throw failure }
        return results
    }

    /// Predictions for the images that could be read, and the failures of those that could not:
    /// one bad file among 200 does not cost the other 199.
    func predictEach() throws -> (results: [Result], failures: [Failure]) {
        let modelFile = try imported.load(model)
        var readable: [(path: String, input: Tensor)] = [], failures: [Failure] = []
        for path in images {
            do {
                readable.append((path, try modelFile.provenance.preprocessing.load(contentsOf: URL(fileURLWithPath: path), maxPixels: imageOptions.maxPixels)))
            } catch {
                failures.append(Failure(image: path, description: Lens.userMessage(for: error)))
            }
        }
        guard !readable.isEmpty else { return ([], failures) }
        let predictions = try modelFile.predictions(Tensor.stack(readable.map(\.input)))
        let results = zip(readable, predictions).map { Result(image: $0.path, prediction: $1, top: top) }
        return (results, failures)
    }

    func run() throws {
        let (results, failures) = try predictEach()
        if results.isEmpty, let failure = failures.first, failures.count == 1 { throw failure }
        try show(results)
        if !failures.isEmpty {
            for failure in failures { Terminal.status(failure.description) }
            throw CLIError("\(failures.count) of \(images.count) images could not be read (listed above); the other \(results.count) were predicted")
        }
    }

    private func show(_ results: [Result]) throws {
        if json {
            try printJSON(results)
            return
        }
        for result in results {
            let ranked = result.top.map { "\($0.class) \(String(format: "%.3f", $0.probability))" }.joined(separator: ", ")
            var line = "\(result.image): \(result.predicted)  [\(ranked)]"
            if let nearest = result.neighbors?.first {
                line += String(format: "  nearest training image #%d (%@) at distance %.4f", nearest.index, nearest.class, nearest.distance)
            }
            print(line)
        }
    }
}
