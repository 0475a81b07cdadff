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
        let data = prepared.data
        let split = prepared.split
        guard !split.test.isEmpty else {
            throw CLIError("\(source.name): nothing to test on: the test split is empty (\(data.labels.count) images in \(data.classNames.count) classes); give each class several images, e.g. 7 or more")
        }
        let shape = Array(data.images.shape.dropFirst())
        Terminal.status("\(source.name): \(data.labels.count) images of \(data.classNames.count) classes at \(shape.map(String.init).joined(separator: "x")); split \(split.train.count) train / \(split.validation.count) validation / \(split.test.count) test")

        let trainImages = prepared.images(split.train), trainLabels = prepared.labels(split.train)
        let testImages = prepared.images(split.test), testLabels = prepared.labels(split.test)
        var rows: [ResultRow] = []
        var pages: [(page: ReportPage, summary: String)] = []

        // Lecture step 2: 1-nearest-neighbour with each distance.
        let comparison = try NearestNeighborComparison(on: prepared)
        rows += comparison.runs.map { run in
            ResultRow(model: "1-NN \(run.metric.rawValue)", detail: "closest training image decides", testAccuracy: run.accuracy,
                      trainingSeconds: run.seconds)
        }
        var nearest = try ExplanationPages.nearestNeighborsPage(comparison, dataset: prepared)

        // Lecture steps 3-5: networks, from 0 hidden layers to a CNN; then what the CNN learned and how far its maps hold.
        var pageData = PageData(classNames: data.classNames, trainImages: trainImages, trainLabels: trainLabels,
                                testImages: testImages, testLabels: testLabels)
        pageData.onFaces = source.holdsFaces
        if !split.validation.isEmpty { pageData.validationImages = prepared.images(split.validation) }
        let networks = try trainNetworks(prepared, pageData: pageData)
        rows += networks.rows
        let budget: PageBudget = quick ? .quick : .full
        let cnn = networks.cnn.network
        nearest.body += try ExplanationPages.nearestEvidenceSection(cnn, name: "CNN", data: pageData, budget: budget)
        pages.append((nearest, "the closest training image decides; three notions of closeness compared; the CNN's nearest images and how unusual an input is."))
        pages += networks.pages
        let clock = Date()
        let indices = ExplanationPages.chooseImages(cnn, data: pageData, wrong: budget.wrongImages, correct: budget.correctImages)
        let explained = try ExplanationPages.explanationPages(cnn, name: "CNN", data: pageData, budget: budget, indices: indices,
                                                              progress: { Terminal.status("CNN: \($0)") })
        let summaries = ["units.html": "what the CNN's units respond to: top patches and their deconvnet projections, layer by layer.",
                         "maps.html": "attribution maps side by side for correct and misclassified test faces, each with its trust record.",
                         "trust.html": "can we trust these maps? model randomisation and faithfulness of every method."]
        pages += explained.map { ($0, summaries[$0.fileName] ?? "") }
        Terminal.status("CNN explanation pages in \(formatDuration(Date().timeIntervalSince(clock)))")

        printTable(rows)
        let index = IndexPage.page(
            datasetName: source.name,
            datasetSummary: "\(data.labels.count) images, \(data.classNames.count) classes, input \(shape.map(String.init).joined(separator: "×")); split \(split.train.count)/\(split.validation.count)/\(split.test.count) (train/validation/test), seed \(seed).",
            rows: rows, steps: pages)
        // Written whole even if Ctrl-C comes meanwhile (no half-written page), then the stop is honoured.
        try Interruption.shared.deferring { try writer.write(pages: [index] + pages.map(\.page)) }
        if let signal = Interruption.shared.requested { throw Interrupted(signal: signal, message: "\(Interruption.name(signal)) after the report was written") }
        let reportPath = writer.directory.appendingPathComponent("index.html").path
        Terminal.status("report: \(reportPath)  (\(formatDuration(Date().timeIntervalSince(started))) in all)")
    }

    private struct NetworkResults {
        var rows: [ResultRow] = []
        var pages: [(page: ReportPage, summary: String)] = []
        var cnn: Trained
    }

    private struct Trained {
        var model: ModelFile
        var network: Network
        var testAccuracy: Double
        var seconds: Double
    }

    private func trainNetworks(_ prepared: StudioDataset, pageData: PageData) throws -> NetworkResults {
        let imageShape = Array(prepared.data.images.shape.dropFirst())

        func run(_ spec: DemoModels.Spec) throws -> Trained {
            let clock = Date()
            let observer = TrainingObserver(batchEnded: { progress in
                guard progress.epochEnded, Terminal.isInteractive else { return }
                let record = progress.record
                let label = "\(spec.label): epoch \(record.epoch)/\(progress.epochs)  train acc \(String(format: "%.3f", record.trainAccuracy))"
                    + (record.validationAccuracy.map { "  val \(String(format: "%.3f", $0))" } ?? "")
                Terminal.progress(progress.fraction, label)
            })
            let (model, _) = try DemoModels.train(spec, on: prepared, seed: seed, quick: quick, observer: observer)
            let seconds = Date().timeIntervalSince(clock)
            guard case .network(let network) = model.model else { throw CLIError("\(spec.label) did not train a network") }
            let accuracy = try Evaluation(model, named: spec.label, on: prepared, split: .test).accuracy
            Terminal.progress(1, "\(spec.label): test accuracy \(String(format: "%.3f", accuracy)) in \(formatDuration(seconds))", done: true)
            return Trained(model: model, network: network, testAccuracy: accuracy, seconds: seconds)
        }

        var rows: [ResultRow] = []
        var pages: [(page: ReportPage, summary: String)] = []
        var curves: [(name: String, history: TrainingHistory)] = []
        func record(_ name: String, _ detail: String, _ trained: Trained) {
            rows.append(ResultRow(model: name, detail: detail, testAccuracy: trained.testAccuracy,
                                          validationAccuracy: trained.model.provenance.validationAccuracy, trainingSeconds: trained.seconds))
            if let history = trained.model.history { curves.append((name, history)) }
        }

        func trainAndRecord(_ spec: DemoModels.Spec) throws -> Trained {
            let trained = try run(spec)
            record(spec.title, spec.kind == .cnn ? Architecture.defaultCNNLayout(height: imageShape[1], width: imageShape[2]) : spec.detail, trained)
            return trained
        }
        let softmax = try trainAndRecord(DemoModels.softmax)
        let mlp = try trainAndRecord(DemoModels.mlp)
        _ = try trainAndRecord(DemoModels.deepMLP)
        let cnn = try trainAndRecord(DemoModels.cnn)

        pages.append((try ExplanationPages.templatesPage([("Softmax regression: one template per class", softmax.network, softmax.testAccuracy),
                                                          ("MLP 300: one hidden layer of 300 templates", mlp.network, mlp.testAccuracy),
                                                          ("CNN: first-layer filters", cnn.network, cnn.testAccuracy)], data: pageData),
                      "what softmax regression, a 1-hidden-layer network and a CNN's first layer learn: weights drawn as images, and how face-like."))

        // More templates, better training accuracy: sweep the hidden layer's width K.
        var sweep: LineChart?
        var sweepTemplates: [(units: Int, network: Network, accuracy: Double)] = []
        if !quick {
            var trainPoints: [(x: Double, y: Double)] = [], validationPoints: [(x: Double, y: Double)] = []
            for units in Self.sweepWidths {
                let trained = try run(DemoModels.sweep(units: units))
                let best = trained.model.history?.epochs.first { $0.epoch == trained.model.history?.bestEpoch }
                trainPoints.append((Double(units), best?.trainAccuracy ?? 0))
                validationPoints.append((Double(units), best?.validationAccuracy ?? 0))
                if Self.sweepWidthsDrawn.contains(units) {
                    sweepTemplates.append((units, trained.network, trained.testAccuracy))
                }
            }
            sweep = LineChart(title: "accuracy against the number of templates K", xLabel: "K (hidden units)", yLabel: "accuracy",
                              series: [.init(name: "train", color: "#1f77b4", points: trainPoints),
                                       .init(name: "validation", color: "#d62728", points: validationPoints)], yRange: 0...1,
                              logarithmicX: true)
        }
        let curvesSummary = quick ? "accuracy and loss per epoch on training and validation data."
            : "accuracy and loss per epoch on training and validation data, and the sweep over the number of templates."
        var curvesPage = LearningCurvesPage.page(curves, sweep: sweep)
        if !sweepTemplates.isEmpty {
            curvesPage.body += try ExplanationPages.templateSweepSection(sweepTemplates, classNames: pageData.classNames)
        }
        pages.append((curvesPage, curvesSummary))
        return NetworkResults(rows: rows, pages: pages, cnn: cnn)
    }

    /// The lecture's experiment: hidden layer widths K on a log scale, and those whose templates are drawn.
    static let sweepWidths = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
    static let sweepWidthsDrawn: Set = [5, 20, 100]

    private func printTable(_ rows: [ResultRow]) {
        let width = max(10, rows.map(\.model.count).max() ?? 10)
        print("model".padding(toLength: width, withPad: " ", startingAt: 0) + "  test accuracy  training time")
        for row in rows {
            print(row.model.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %13.3f  ", row.testAccuracy) + (row.trainingSeconds.map(formatDuration) ?? "–"))
        }
    }
}
