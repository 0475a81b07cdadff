/// The report's first page: the dataset, a table of every model's results, and the lecture's path.
public struct ResultRow: Sendable {
    public var model: String
    public var detail: String
    public var testAccuracy: Double
    public var validationAccuracy: Double?
    public var trainingSeconds: Double?

    public init(model: String, detail: String, testAccuracy: Double, validationAccuracy: Double? = nil, trainingSeconds: Double? = nil) {
        self.model = model
        self.detail = detail
        self.testAccuracy = testAccuracy
        self.validationAccuracy = validationAccuracy
        self.trainingSeconds = trainingSeconds
    }
}

public enum IndexPage {
    /// The index: `title`, the dataset, the results table, then the lecture's steps: `opening` (a step
    /// with no page of its own, in bold) and one link per page with its step's text.
    public static func page(datasetName: String, datasetSummary: String, rows: [ResultRow], title: String,
                            opening: (title: String, text: String)?, steps: [(page: ReportPage, summary: String)]) -> ReportPage {
        var body = "<p>Dataset: <strong>\(HTML.escape(datasetName))</strong>. \(HTML.escape(datasetSummary))</p>"
        body += "<h2>Results on the held-out test split</h2>"
        body += HTML.table(
            header: ["model", "what it is", "test accuracy", "validation accuracy", "training time"],
            rows: rows.map { row in
                [row.model, row.detail, String(format: "%.3f", row.testAccuracy),
                 row.validationAccuracy.map { String(format: "%.3f", $0) } ?? "–",
                 row.trainingSeconds.map { $0 < 1 ? String(format: "%.0f ms", $0 * 1000) : String(format: "%.1f s", $0) } ?? "–"]
            },
            numericColumns: [2, 3, 4])
        body += "<h2>Follow the lecture</h2><ol>"
        if let opening { body += "<li><strong>\(HTML.escape(opening.title)).</strong> \(HTML.escape(opening.text))</li>" }
        for step in steps {
            body += "<li><a href=\"\(HTML.escape(step.page.fileName))\">\(HTML.escape(step.page.title))</a>: \(HTML.escape(step.summary))</li>"
        }
        body += "</ol>"
        return ReportPage(fileName: "index.html", title: title, body: body, navigationTitle: "Overview")
    }
}
