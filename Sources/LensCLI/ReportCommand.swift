import ArgumentParser
import Foundation
import LensData
import LensModels
import LensRender
import LensStudio

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report for any model: accuracy, confusion matrix, mistakes, curves and what it learned.",
        discussion: """
        The pages open from file:// and load nothing from the internet; --single-file makes one \
        HTML file to mail. By default the model is scored on the test split of the dataset it was \
        trained on.

        Examples:
          lens report --model cnn.safetensors --out cnn-report
          lens report --model fashion.safetensors --single-file --out fashion.html
        """)

    @Option(help: "A model file written by `lens train`.")
    var model: String

    @Option(help: "Dataset to score on (default: the one the model was trained on).")
    var data: String?

    @Option(help: "Which part of the data: train, validation, test or all.")
    var split: String = "test"

    @Option(help: "Folder for the pages (index.html first), or with --single-file the HTML file to write.")
    var out: String

    @Flag(name: .customLong("single-file"), help: "Write every page into one HTML file.")
    var singleFile = false

    @Flag(help: "Fewer images and shorter integrals for the maps and trust checks: a quick look rather than a measurement.")
    var quick = false

    func validate() throws {
        guard SplitChoice(rawValue: split) != nil else {
            throw ValidationError("--split \(split) is not one of \(SplitChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let modelFile = try ModelFile(contentsOf: URL(fileURLWithPath: model))
        let dataArgument = data ?? modelFile.provenance.dataset
        let prepared = try Workflow.prepare(dataArgument, preprocessing: modelFile.provenance.preprocessing, plan: modelFile.provenance.split)
        guard prepared.data.classNames == modelFile.provenance.classNames else {
            throw CLIError("\(dataArgument) does not have the model's classes (\(modelFile.provenance.classNames.prefix(5).joined(separator: ", "))…)")
        }
        let choice = SplitChoice(rawValue: split) ?? .test
        let report = ModelReport(modelFile: modelFile, modelName: URL(fileURLWithPath: model).lastPathComponent,
                                 datasetName: prepared.source.name, images: prepared.data.images, labels: prepared.data.labels,
                                 split: (choice.rawValue, Workflow.indices(choice, of: prepared)))
        let (overview, scores) = try report.overview()
        let budget: PageBudget = quick ? .quick : .full
        let pages = [overview] + (try report.explanationPages(trainIndices: Workflow.indices(.train, of: prepared), budget: budget,
                                                              progress: { Terminal.status($0) }))
        let written: String
        if singleFile {
            let url = URL(fileURLWithPath: out)
            try ReportWriter.writeSingleFile(pages: pages, to: url)
            written = url.path
        } else {
            let writer = try ReportWriter(directory: URL(fileURLWithPath: out))
            try writer.write(pages: pages)
            written = writer.directory.appendingPathComponent("index.html").path
        }
        Terminal.status("\(choice.rawValue) accuracy \(String(format: "%.3f", scores.accuracy)) (\(scores.correct)/\(scores.n)); report: \(written)")
    }
}
