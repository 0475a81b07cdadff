import ArgumentParser
import Foundation
import LensData
import LensModels
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
        """)

    @Option(help: "A model file written by `lens train`.")
    var model: String

    @Option(parsing: .unconditional, help: "How many classes to show per image.")
    var top: Int = 3

    @Flag(help: "Print the predictions as JSON.")
    var json = false

    @OptionGroup var imageOptions: ImageOptions

    @Argument(help: "Image files (PNG, JPEG or PGM).")
    var images: [String]

    struct ClassProbability: Encodable { var `class`: String; var probability: Float }
    struct NeighborEvidence: Encodable { var index: Int; var `class`: String; var distance: Float }
    struct Result: Encodable {
        var image: String
        var predicted: String
        var top: [ClassProbability]
        var neighbors: [NeighborEvidence]?
    }

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top \(top) is invalid: give 1 or more") }
        guard !images.isEmpty else { throw ValidationError("give at least one image to predict") }
    }

    func predict() throws -> [Result] {
        let modelFile = try ModelFile(contentsOf: URL(fileURLWithPath: model))
        let classes = modelFile.provenance.classNames
        let inputs = try images.map { path in
            try modelFile.provenance.preprocessing.load(contentsOf: URL(fileURLWithPath: path), maxPixels: imageOptions.maxPixels)
        }
        let batch = Tensor.stack(inputs)
        let probabilities = try modelFile.probabilities(batch)
        var neighbors: [[NearestNeighborClassifier.Neighbor]]?
        if case .nearestNeighbor(let classifier) = modelFile.model {
            neighbors = try classifier.predict(batch).map(\.neighbors)
        }
        let labels = try modelFile.predictedLabels(batch)
        return images.enumerated().map { row, path in
            let rowProbabilities = Array(probabilities.scalars[(row * classes.count)..<((row + 1) * classes.count)])
            let ranked = rowProbabilities.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            return Result(
                image: path, predicted: classes[labels[row]],
                top: ranked.prefix(top).map { ClassProbability(class: classes[$0.offset], probability: $0.element) },
                neighbors: neighbors?[row].map { NeighborEvidence(index: $0.index, class: classes[$0.label], distance: $0.distance) })
        }
    }

    func run() throws {
        let results = try predict()
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
