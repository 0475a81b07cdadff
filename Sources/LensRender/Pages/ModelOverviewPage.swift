import Foundation
import LensModels
import LensTensor

/// One model on held-out data: what it is, how accurate, where it errs (a confusion matrix whose
/// cells lead to the images), per-class figures and learning curves.
public enum ModelOverviewPage {
    public struct Content: Sendable {
        public struct Mistake: Sendable {
            /// The image as the model saw it, [C, H, W] in [0, 1].
            public var image: Tensor
            /// Its index in the dataset, so a user can find the file.
            public var datasetIndex: Int
            public var actual: Int
            public var predicted: Int
            public var probability: Float

            public init(image: Tensor, datasetIndex: Int, actual: Int, predicted: Int, probability: Float) {
                self.image = image
                self.datasetIndex = datasetIndex
                self.actual = actual
                self.predicted = predicted
                self.probability = probability
            }
        }

        public var title: String
        /// One line: kind, architecture, file.
        public var description: String
        public var datasetName: String
        public var splitName: String
        public var report: ClassificationReport
        public var history: TrainingHistory?
        public var mistakes: [Mistake]

        public init(title: String, description: String, datasetName: String, splitName: String, report: ClassificationReport,
                    history: TrainingHistory?, mistakes: [Mistake]) {
            self.title = title
            self.description = description
            self.datasetName = datasetName
            self.splitName = splitName
            self.report = report
            self.history = history
            self.mistakes = mistakes
        }
    }

    public static func page(_ overview: Content, fileName: String = "index.html") throws -> ReportPage {
        let report = overview.report, classes = report.perClass.map(\.name)
        var body = "<p>\(HTML.escape(overview.description))</p>"
        body += "<p class=headline>Accuracy on the \(HTML.escape(overview.splitName)) split of \(HTML.escape(overview.datasetName)): "
            + "<strong>\(String(format: "%.3f", report.accuracy))</strong> (\(report.correct) of \(report.n) images), "
            + "macro F1 \(String(format: "%.3f", report.macroF1)).</p>"
        if report.n == 0 {
            body += "<p class=warning>The \(HTML.escape(overview.splitName)) split is empty: there is nothing to score.</p>"
        }
        body += "<h2>Confusion matrix</h2><p>Rows: the true class; columns: the predicted one. Click a red cell to see those images.</p>"
        body += "<div class=scroll>" + ConfusionMatrixChart(classNames: classes, confusion: report.confusion).svg() + "</div>"

        body += "<h2>Mistakes</h2>"
        if overview.mistakes.isEmpty {
            body += "<p>None: every image of the split is classified correctly.</p>"
        } else {
            let groups = Dictionary(grouping: overview.mistakes) { [$0.actual, $0.predicted] }
                .sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key.lexicographicallyPrecedes($1.key) }
            for (key, mistakes) in groups {
                let (actual, predicted) = (key[0], key[1])
                body += "<h3 id=\"\(ConfusionMatrixChart.anchor(actual: actual, predicted: predicted))\">"
                    + "\(HTML.escape(classes[actual])) taken for \(HTML.escape(classes[predicted])) (\(mistakes.count))</h3><div class=grid>"
                for mistake in mistakes {
                    let caption = "#\(mistake.datasetIndex): p = \(String(format: "%.2f", mistake.probability))"
                    body += "<figure>\(try ReportImage.tag(mistake.image, alt: "\(classes[actual]) taken for \(classes[predicted])"))"
                        + "<figcaption>\(HTML.escape(caption))</figcaption></figure>"
                }
                body += "</div>"
            }
        }

        body += "<h2>Per class</h2>"
        body += HTML.table(header: ["class", "precision", "recall", "F1", "images"], rows: report.perClass.map {
            [$0.name, String(format: "%.3f", $0.precision), String(format: "%.3f", $0.recall), String(format: "%.3f", $0.f1), String($0.support)]
        }, numericColumns: [1, 2, 3, 4])

        if let history = overview.history, !history.epochs.isEmpty {
            body += "<h2>Learning curves</h2>" + LearningCurvesPage.charts(history)
        }
        return ReportPage(fileName: fileName, title: overview.title, body: body)
    }
}
