import ArgumentParser
import Foundation
import LensData
import LensModels

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
        """)

    @Option(help: "A model file written by `lens train`.")
    var model: String

    @Option(help: "Dataset to score on (default: the one the model was trained on).")
    var data: String?

    @Option(help: "Which part of the data: train, validation, test or all.")
    var split: String = "test"

    @Flag(help: "Fail if any image in the folder cannot be read, instead of skipping it.")
    var strict = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var images: ImageOptions

    struct Result: Encodable {
        var model: String
        var dataset: String
        var split: String
        var accuracy: Double
        var n: Int
        var correct: Int
        var macroF1: Double
        var perClass: [ClassificationReport.ClassFigures]
        var confusion: [[Int]]
        var classes: [String]

        enum CodingKeys: String, CodingKey {
            case model, dataset, split, accuracy, n, correct, classes, confusion
            case macroF1 = "macro_f1", perClass = "per_class"
        }
    }

    func evaluate() throws -> Result {
        guard let choice = SplitChoice(rawValue: split) else {
            throw CLIError("--split \(split) is not one of train, validation, test, all")
        }
        let modelFile = try ModelFile.load(model, flag: "--model")
        let provenance = modelFile.provenance
        let recorded = DatasetSource(recorded: provenance.dataset)
        let source = data.map { DatasetSource(argument: $0) } ?? recorded
        let sameData = source.name == recorded.name  // names are absolute paths; URLs compare as typed
        if !sameData && choice != .all {
            Terminal.status("note: \(source.name) is not the training dataset (\(recorded.name)); its \(split) split is made with the model's split seed")
        }
        let prepared = try data.map { try Workflow.prepare($0, preprocessing: provenance.preprocessing, plan: provenance.split, strict: strict, maxPixels: images.maxPixels) }
            ?? Workflow.prepare(source, preprocessing: provenance.preprocessing, plan: provenance.split, strict: strict, maxPixels: images.maxPixels)
        guard prepared.data.classNames == provenance.classNames else {
            throw CLIError("\(source.name) has classes \(prepared.data.classNames.prefix(5).joined(separator: ", "))… but the model knows \(provenance.classNames.prefix(5).joined(separator: ", "))…; evaluate on data with the same class folders")
        }
        if let trained = provenance.datasetFingerprint, choice != .all, prepared.fingerprint != trained {
            let what = sameData ? "\(source.name) has changed since training" : "\(source.name) does not hold the files the model was trained on"
            Terminal.status("warning: \(what) (\(prepared.data.labels.count) images now, \(provenance.datasetCount) then; file list \(prepared.fingerprint), trained on \(trained)): the \(split) split is not the one the model never saw")
        } else if provenance.datasetFingerprint == nil, sameData, prepared.data.labels.count != provenance.datasetCount {
            Terminal.status("warning: \(source.name) now has \(prepared.data.labels.count) images, \(provenance.datasetCount) at training time; the held-out split is not the one the model never saw")
        }
        let indices = Workflow.indices(choice, of: prepared)
        guard !indices.isEmpty else { throw CLIError("the \(split) split of \(source.name) is empty") }
        let predicted = try modelFile.predictedLabels(prepared.images(indices))
        let report = ClassificationReport(predicted: predicted, actual: prepared.labels(indices), classNames: provenance.classNames)
        return Result(model: model, dataset: source.name, split: split, accuracy: report.accuracy, n: report.n,
                      correct: report.correct, macroF1: report.macroF1, perClass: report.perClass,
                      confusion: report.confusion, classes: provenance.classNames)
    }

    func run() throws {
        let result = try evaluate()
        if json {
            try printJSON(result)
            return
        }
        print("\(result.model) on \(result.dataset), \(result.split) split: accuracy \(String(format: "%.4f", result.accuracy)) (\(result.correct)/\(result.n)), macro F1 \(String(format: "%.4f", result.macroF1))")
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
