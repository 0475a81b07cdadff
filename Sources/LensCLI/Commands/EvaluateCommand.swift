import ArgumentParser
import Foundation
import LensData
import LensModels
import LensStudio

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a model on held-out data: accuracy, per-class precision/recall, confusion matrix.",
        discussion: """
        By default the model is scored on the test split of the dataset it was trained on, \
        split exactly as at training time.

        Examples:
          lens evaluate --model faces.safetensors
          lens evaluate --model faces.safetensors --split validation --json
          lens evaluate --model faces.safetensors --data ~/more-photos --split all
          lens evaluate --model m.onnx --data photos --split all --normalize imagenet --class-names names.txt
        """)

    @OptionGroup var target: ModelDataOptions

    @Flag(help: "Fail if any image in the folder cannot be read, instead of skipping it.")
    var strict = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var images: ImageOptions

    /// Scores the model; notes on the data (skipped files, data other than at training) go to stderr.
    func evaluate() throws -> Evaluation {
        let choice = try target.splitChoice()
        let modelFile = try target.loadModel()
        let dataset = try StudioDataset(for: modelFile, named: target.data, strict: strict, maxPixels: images.maxPixels)
        dataset.reportNotes()
        for note in dataset.comparedWithTraining(modelFile, choice: choice) { Terminal.status(note) }
        return try Evaluation(modelFile, named: target.model, on: dataset, split: choice)
    }

    func run() throws {
        let result = try evaluate()
        if json {
            try printJSON(result)
            return
        }
        print("\(result.model) on \(result.dataset), \(result.split.rawValue) split: accuracy \(String(format: "%.4f", result.accuracy)) (\(result.correct)/\(result.n)), macro F1 \(String(format: "%.4f", result.macroF1))")
        let width = max(5, result.classes.map(\.count).max() ?? 5)
        print("class".padding(toLength: width, withPad: " ", startingAt: 0) + "  precision  recall     f1  support")
        for figures in result.perClass {
            print(figures.name.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %9.3f  %6.3f  %5.3f  %7d", figures.precision, figures.recall, figures.f1, figures.support))
        }
        if result.classes.count <= 12 {
            print("\nconfusion matrix (rows: true class, columns: predicted)")
            for (name, row) in zip(result.classes, result.confusion) {
                print(name.padding(toLength: width, withPad: " ", startingAt: 0) + " " + row.map { String(format: "%5d", $0) }.joined())
            }
        } else {
            let confusions = result.confusion.enumerated().flatMap { i, row in
                row.enumerated().compactMap { j, count in i != j && count > 0 ? (i, j, count) : nil }
            }.sorted { $0.2 > $1.2 }.prefix(10)
            if !confusions.isEmpty {
                print("\nmost frequent confusions (true → predicted: count)")
                for (i, j, count) in confusions { print("  \(result.classes[i]) → \(result.classes[j]): \(count)") }
            }
        }
    }
}
