import ArgumentParser
import Foundation
import LensData
import LensModels
import LensRender
import LensStudio
import LensTensor

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
          lens report --model m.onnx --data photos --normalize imagenet --class-names names.txt --out m-report
        """)

    @OptionGroup var target: ModelDataOptions

    @Option(help: "Folder for the pages (index.html first), or with --single-file the HTML file to write.")
    var out: String

    @Flag(name: .customLong("single-file"), help: "Write every page into one HTML file.")
    var singleFile = false

    @Flag(help: "Fewer images and shorter integrals for the maps and trust checks: a quick look rather than a measurement.")
    var quick = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let choice = try target.splitChoice()
        let written = OutputTarget("--out", out, singleFile ? .reportFile : .reportFolder)
        try output.check([written], inputs: target.inputs(), early: true)
        let modelFile = try target.loadModel()
        try output.check([written], inputs: target.inputs(loaded: modelFile))
        let dataset = try StudioDataset(for: modelFile, named: target.data)
        dataset.reportNotes()
        let report = ModelReport(modelFile: modelFile, modelName: URL(fileURLWithPath: target.model).lastPathComponent,
                                 datasetName: dataset.source.name, images: dataset.data.images, labels: dataset.data.labels,
                                 split: (choice.rawValue, dataset.indices(choice)))
        let (overview, scores) = try report.overview()
        let budget: PageBudget = quick ? .quick : .full
        let pages = [overview] + (try report.explanationPages(trainIndices: dataset.split.train,
                                                                       validationIndices: dataset.split.validation, budget: budget,
                                                              progress: { Terminal.status($0) }))
        let index: String
        if singleFile {
            let url = URL(fileURLWithPath: out)
            try ReportWriter.writeSingleFile(pages: pages, to: url, credit: dataset.source.credit)
            index = url.path
        } else {
            let writer = try ReportWriter(flag: "--out", path: out)
            try writer.write(pages: pages, credit: dataset.source.credit)
            index = writer.directory.appendingPathComponent("index.html").path
        }
        Terminal.status("\(choice.rawValue) accuracy \(String(format: "%.3f", scores.accuracy)) (\(scores.correct)/\(scores.n)); report: \(OneLine.escape(index))")
    }
}
