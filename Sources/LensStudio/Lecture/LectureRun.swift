import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

/// `lens demo`: the lecture (`Lecture.standard`) run on one dataset: its models trained in order,
/// its pages drawn, the K sweep unless quick. The caller prints what `events` tells it.
public struct LectureRun {
    /// What the run tells as it goes.
    public enum Event: Sendable {
        /// A step under way ("CNN: units of relu1").
        case status(String)
        /// A model's epoch ended: its label, the fraction of its run done and the line to show.
        case epoch(label: String, fraction: Double, line: String)
        /// A model is trained and scored on the test split.
        case trained(label: String, testAccuracy: Double, seconds: Double)
    }

    public var dataset: StudioDataset
    public var seed: UInt64 = 0
    public var quick = false
    public var lecture = Lecture.standard

    public init(dataset: StudioDataset, seed: UInt64 = 0, quick: Bool = false) {
        self.dataset = dataset
        self.seed = seed
        self.quick = quick
    }

    /// The report: its results table and pages, the index first.
    public struct Report {
        public var rows: [ResultRow]
        public var pages: [ReportPage]
    }

    public func run(events: @escaping @Sendable (Event) -> Void = { _ in }) throws -> Report {
        let data = dataset.data, split = dataset.split
        guard !split.test.isEmpty else {
            throw StudioError(.invalidInput, "\(dataset.source.name): nothing to test on: the test split is empty (\(data.labels.count) images in \(data.classNames.count) classes); give each class several images, e.g. 7 or more")
        }
        let shape = Array(data.images.shape.dropFirst())
        var pageData = PageData(classNames: data.classNames, trainImages: dataset.images(split.train), trainLabels: dataset.labels(split.train),
                                testImages: dataset.images(split.test), testLabels: dataset.labels(split.test))
        pageData.onFaces = dataset.source.holdsFaces
        if !split.validation.isEmpty {
            pageData.validationImages = dataset.images(split.validation)
            pageData.validationLabels = dataset.labels(split.validation)
        }
        var rows: [ResultRow] = []
        var pages: [ReportPage] = []

        // 1-nearest-neighbour with each distance.
        let comparison = try NearestNeighborComparison(on: dataset)
        rows += comparison.runs.map { run in
            ResultRow(model: "1-NN \(run.metric.rawValue)", detail: "closest training image decides", testAccuracy: run.accuracy,
                      trainingSeconds: run.seconds)
        }
        var nearest = try ExplanationPages.nearestNeighborsPage(comparison, dataset: dataset)

        // Networks, from 0 hidden layers to a CNN; then what the CNN learned and how far its maps hold.
        let networks = try trainNetworks(pageData: pageData, events: events)
        rows += networks.rows
        let budget: PageBudget = quick ? .quick : .full
        let cnn = networks.cnn
        nearest.body += try ExplanationPages.nearestEvidenceSection(cnn, name: "CNN", data: pageData, budget: budget)
        pages.append(nearest)
        pages += networks.pages
        let clock = Date()
        let indices = ExplanationPages.chooseImages(cnn, data: pageData, wrong: budget.wrongImages, correct: budget.correctImages)
        pages += try ExplanationPages.explanationPages(cnn, name: "CNN", data: pageData, budget: budget, indices: indices,
                                                       retraining: networks.cnnRecipe, progress: { events(.status("CNN: \($0)")) })
        events(.status("CNN explanation pages in \(Self.duration(Date().timeIntervalSince(clock)))"))

        let index = IndexPage.page(
            datasetName: dataset.source.name,
            datasetSummary: "\(data.labels.count) images, \(data.classNames.count) classes, input \(shape.map(String.init).joined(separator: "×")); split \(split.train.count)/\(split.validation.count)/\(split.test.count) (train/validation/test), seed \(seed).",
            rows: rows, title: lecture.title, opening: lecture.steps.first { $0.reportPage == nil }.map { ($0.title, $0.text) },
            steps: pages.map { page in (page, lecture.step(forPage: page.fileName)?.text ?? "") })
        return Report(rows: rows, pages: [index] + pages)
    }

    private struct Networks {
        var rows: [ResultRow]
        var pages: [ReportPage]
        var cnn: Network
        /// How the CNN was trained, for data randomisation (nil if its file records no options).
        var cnnRecipe: ModelRecipe?
    }

    private struct Trained {
        var model: ModelFile
        var network: Network
        var testAccuracy: Double
        var seconds: Double
    }

    private func trainNetworks(pageData: PageData, events: @escaping @Sendable (Event) -> Void) throws -> Networks {
        let imageShape = Array(dataset.data.images.shape.dropFirst())
        func run(_ spec: DemoModels.Spec) throws -> Trained {
            let clock = Date()
            let observer = TrainingObserver(batchEnded: { progress in
                guard progress.epochEnded else { return }
                let record = progress.record
                events(.epoch(label: spec.label, fraction: progress.fraction,
                              line: "\(spec.label): epoch \(record.epoch)/\(progress.epochs)  train acc \(String(format: "%.3f", record.trainAccuracy))"
                                + (record.validationAccuracy.map { "  val \(String(format: "%.3f", $0))" } ?? "")))
            })
            let (model, _) = try DemoModels.train(spec, on: dataset, seed: seed, quick: quick, observer: observer)
            let seconds = Date().timeIntervalSince(clock)
            guard case .network(let network) = model.model else { throw StudioError(.failed, "\(spec.label) did not train a network") }
            let accuracy = try Evaluation(model, named: spec.label, on: dataset, split: .test).accuracy
            events(.trained(label: spec.label, testAccuracy: accuracy, seconds: seconds))
            return Trained(model: model, network: network, testAccuracy: accuracy, seconds: seconds)
        }

        var rows: [ResultRow] = []
        var curves: [(name: String, history: TrainingHistory)] = []
        func trainAndRecord(_ spec: DemoModels.Spec) throws -> Trained {
            let trained = try run(spec)
            let detail = spec.kind == .cnn ? Architecture.defaultCNNLayout(height: imageShape[1], width: imageShape[2]) : spec.detail
            rows.append(ResultRow(model: spec.title, detail: detail, testAccuracy: trained.testAccuracy,
                                  validationAccuracy: trained.model.provenance.validationAccuracy, trainingSeconds: trained.seconds))
            if let history = trained.model.history { curves.append((spec.title, history)) }
            return trained
        }
        let softmax = try trainAndRecord(DemoModels.softmax)
        let mlp = try trainAndRecord(DemoModels.mlp)
        _ = try trainAndRecord(DemoModels.deepMLP)
        let cnn = try trainAndRecord(DemoModels.cnn)

        var pages = [try ExplanationPages.templatesPage([("Softmax regression: one template per class", softmax.network, softmax.testAccuracy),
                                                         ("MLP 300: one hidden layer of 300 templates", mlp.network, mlp.testAccuracy),
                                                         ("CNN: first-layer filters", cnn.network, cnn.testAccuracy)], data: pageData)]

        // More templates, better training accuracy: sweep the hidden layer's width K.
        var sweep: LineChart?
        var sweepTemplates: [(units: Int, network: Network, accuracy: Double)] = []
        if !quick {
            var trainPoints: [(x: Double, y: Double)] = [], validationPoints: [(x: Double, y: Double)] = []
            for units in Lecture.sweepWidths {
                let trained = try run(DemoModels.sweep(units: units))
                let best = trained.model.history?.epochs.first { $0.epoch == trained.model.history?.bestEpoch }
                trainPoints.append((Double(units), best?.trainAccuracy ?? 0))
                validationPoints.append((Double(units), best?.validationAccuracy ?? 0))
                if Lecture.sweepWidthsDrawn.contains(units) { sweepTemplates.append((units, trained.network, trained.testAccuracy)) }
            }
            sweep = LineChart(title: "accuracy against the number of templates K", xLabel: "K (hidden units)", yLabel: "accuracy",
                              series: [.init(name: "train", color: "#1f77b4", points: trainPoints),
                                       .init(name: "validation", color: "#d62728", points: validationPoints)], yRange: 0...1,
                              logarithmicX: true)
        }
        var curvesPage = LearningCurvesPage.page(curves, sweep: sweep)
        if !sweepTemplates.isEmpty {
            curvesPage.body += try ExplanationPages.templateSweepSection(sweepTemplates, classNames: pageData.classNames)
        }
        pages.append(curvesPage)
        return Networks(rows: rows, pages: pages, cnn: cnn.network, cnnRecipe: try? DataRandomisation.recipe(for: cnn.model))
    }

    /// "850 ms", "12.3 s", "2 min 05 s".
    public static func duration(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.0f ms", seconds * 1000)
            : seconds < 60 ? String(format: "%.1f s", seconds)
            : String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
    }
}
