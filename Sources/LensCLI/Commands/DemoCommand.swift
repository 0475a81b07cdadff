import ArgumentParser
import Foundation
import LensData
import LensModels
import LensRender
import LensStudio
import LensTensor

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The lecture, end to end: train its models on a dataset and write an HTML report.",
        discussion: """
        With no options: the embedded ORL faces (40 people, 6/2/2 images per person for \
        training/validation/test), 1-nearest-neighbour with each distance, then the networks, \
        and a report in lens-report/index.html.

        Examples:
          lens demo
          lens demo --quick --out /tmp/report
          lens demo --data fashion-mnist
          lens demo --data ~/photos
        """)

    @OptionGroup var dataOptions: DataOptions

    /// The dataset argument (default: the ORL faces).
    var dataset: String { dataOptions.data ?? "orl" }

    @Option(help: "Folder for the HTML report.")
    var out: String = "lens-report"

    @Flag(help: "Fewer epochs: a quick look rather than the best accuracy.")
    var quick = false

    @OptionGroup var images: ImageOptions

    @OptionGroup var output: OutputOptions

    var seed: UInt64 { dataOptions.seed }

    func run() throws {
        let started = Date()
        let source = DatasetSource(argument: dataset)
        try output.check([OutputTarget("--out", out, .reportFolder)], inputs: InputPath.data(source, label: "--data"))
        let writer = try ReportWriter(flag: "--out", path: out)
        let prepared = try StudioDataset(named: dataset, preprocessing: try dataOptions.preprocessing(for: source), seed: seed,
                                         strict: dataOptions.strict, maxPixels: images.maxPixels)
        prepared.reportNotes()
        let (data, split) = (prepared.data, prepared.split)
        let shape = Array(data.images.shape.dropFirst())
        Terminal.status("\(source.name): \(data.labels.count) images of \(data.classNames.count) classes at \(shape.map(String.init).joined(separator: "x")); split \(split.train.count) train / \(split.validation.count) validation / \(split.test.count) test")

        // The lecture's storyline is LensStudio's; this command prints its progress and writes its pages.
        let report: LectureRun.Report
        do {
            report = try LectureRun(dataset: prepared, seed: seed, quick: quick).run { event in
                switch event {
                case .status(let line): Terminal.status(line)
                case let .epoch(_, fraction, line): if Terminal.isInteractive { Terminal.progress(fraction, line) }
                case let .trained(label, accuracy, seconds):
                    Terminal.progress(1, "\(label): test accuracy \(String(format: "%.3f", accuracy)) in \(formatDuration(seconds))", done: true)
                }
            }
        } catch let error as StudioError where error.kind == .invalidInput {
            throw CLIError(error.description)
        }
        printTable(report.rows)
        // Written whole even if Ctrl-C comes meanwhile (no half-written page), then the stop is honoured.
        try Interruption.shared.deferring { try writer.write(pages: report.pages, credit: prepared.source.credit) }
        if let signal = Interruption.shared.requested { throw Interrupted(signal: signal, message: "\(Interruption.name(signal)) after the report was written") }
        let reportPath = writer.directory.appendingPathComponent("index.html").path
        Terminal.status("report: \(reportPath)  (\(formatDuration(Date().timeIntervalSince(started))) in all)")
    }

    private func printTable(_ rows: [ResultRow]) {
        let width = max(10, rows.map(\.model.count).max() ?? 10)
        print("model".padding(toLength: width, withPad: " ", startingAt: 0) + "  test accuracy  training time")
        for row in rows {
            print(row.model.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %13.3f  ", row.testAccuracy) + (row.trainingSeconds.map(formatDuration) ?? "–"))
        }
    }
}
