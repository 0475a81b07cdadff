import ArgumentParser
import Foundation
import LensData
import LensModels
import LensRender
import LensTensor

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The lecture, end to end: train its models on a dataset and write an HTML report.",
        discussion: """
        With no options: the embedded ORL faces (40 people, 6/2/2 images per person for
        training/validation/test), 1-nearest-neighbour with each distance, then the networks,
        and a report in lens-report/index.html.
        Examples:
          lens demo
          lens demo --quick --out /tmp/report
          lens demo --dataset fashion-mnist
          lens demo --dataset ~/photos
        """)

    @Option(help: "orl, fashion-mnist, or a folder with one subfolder of images per class.")
    var dataset: String = "orl"

    @Option(help: "Folder for the HTML report.")
    var out: String = "lens-report"

    @Flag(help: "Fewer epochs: a quick look rather than the best accuracy.")
    var quick = false

    @Option(help: "Seed for the split, initial weights and shuffling.")
    var seed: UInt64 = 0

    func run() throws {
        let started = Date()
        let writer = try ReportWriter(directory: URL(fileURLWithPath: out))
        let source = DatasetSource(argument: dataset)
        let prepared = try Workflow.prepare(dataset, preprocessing: try Workflow.preprocessing(for: source, size: nil, rgb: false), seed: seed)
        let data = prepared.data
        let split = prepared.split
        let shape = Array(data.images.shape.dropFirst())
        Terminal.status("\(source.name): \(data.labels.count) images of \(data.classNames.count) classes at \(shape.map(String.init).joined(separator: "x")); split \(split.train.count) train / \(split.validation.count) validation / \(split.test.count) test")

        let trainImages = prepared.images(split.train), trainLabels = prepared.labels(split.train)
        let testImages = prepared.images(split.test), testLabels = prepared.labels(split.test)
        var rows: [ResultRow] = []
        var pages: [(page: ReportPage, summary: String)] = []

        // Lecture step 2: 1-nearest-neighbour with each distance.
        var showcases: [NeighborShowcase] = []
        for metric in DistanceMetric.allCases {
            let clock = Date()
            let classifier = try NearestNeighborClassifier(k: 1, metric: metric, references: trainImages, labels: trainLabels,
                                                           classCount: data.classNames.count)
            let predictions = try classifier.predict(testImages)
            let seconds = Date().timeIntervalSince(clock)
            let accuracy = ClassificationReport(predicted: predictions.map(\.label), actual: testLabels, classNames: data.classNames).accuracy
            rows.append(ResultRow(model: "1-NN \(metric.rawValue)", detail: "closest training image decides",
                                  testAccuracy: accuracy, trainingSeconds: seconds))
            let itemShape = Array(testImages.shape.dropFirst())
            let pairs = predictions.prefix(120).enumerated().map { row, prediction in
                let nearest = prediction.neighbors[0]
                return NeighborPair(query: testImages.slice(row..<(row + 1)).reshaped(itemShape), queryClass: data.classNames[testLabels[row]],
                                    neighbor: trainImages.slice(nearest.index..<(nearest.index + 1)).reshaped(itemShape),
                                    neighborClass: data.classNames[nearest.label], neighborIndex: split.train[nearest.index],
                                    distance: nearest.distance)
            }
            showcases.append(NeighborShowcase(metric: metric.rawValue, accuracy: accuracy, pairs: pairs))
        }
        pages.append((try NearestNeighborPage.page(showcases), "the closest training image decides; three notions of closeness compared."))

        printTable(rows)
        let index = IndexPage.page(
            datasetName: source.name,
            datasetSummary: "\(data.labels.count) images, \(data.classNames.count) classes, input \(shape.map(String.init).joined(separator: "×")); split \(split.train.count)/\(split.validation.count)/\(split.test.count) (train/validation/test), seed \(seed).",
            rows: rows, steps: pages)
        try writer.write(pages: [index] + pages.map(\.page))
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
