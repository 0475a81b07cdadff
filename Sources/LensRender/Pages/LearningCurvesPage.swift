import LensModels

/// Training and validation accuracy and loss per epoch, for every network trained.
public enum LearningCurvesPage {
    public static func page(_ runs: [(name: String, history: TrainingHistory)], sweep: LineChart? = nil) -> ReportPage {
        var body = """
        <p class=lecture>Training fits the weights to the training set; the validation set, never trained on,
        tells whether what was learned carries over to new images. When training accuracy keeps rising
        and validation accuracy does not, the network is memorising.</p>
        """
        if let sweep {
            body += "<h2>More templates, better training accuracy</h2><p>A 1-hidden-layer network with K hidden units, for several K.</p>"
            body += sweep.svg(width: 520, height: 300)
        }
        for run in runs {
            body += "<h2>\(HTML.escape(run.name))</h2>" + charts(run.history)
        }
        return ReportPage(fileName: "training.html", title: "Learning curves", body: body)
    }

    /// Accuracy and loss per epoch on training and validation data, and where the weights were kept.
    public static func charts(_ history: TrainingHistory) -> String {
        let epochs = history.epochs
        let accuracy = LineChart(title: "accuracy", xLabel: "epoch", yLabel: "accuracy", series: [
            .init(name: "train", color: "#1f77b4", points: epochs.map { (Double($0.epoch), $0.trainAccuracy) }),
            .init(name: "validation", color: "#d62728", points: epochs.compactMap { e in e.validationAccuracy.map { (Double(e.epoch), $0) } }),
        ], yRange: 0...1)
        let loss = LineChart(title: "loss (cross-entropy)", xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "train", color: "#1f77b4", points: epochs.map { (Double($0.epoch), $0.trainLoss) }),
            .init(name: "validation", color: "#d62728", points: epochs.compactMap { e in e.validationLoss.map { (Double(e.epoch), $0) } }),
        ])
        var note = "\(epochs.count) epochs"
        if history.stoppedEarly { note += ", stopped early" }
        note += "; weights kept from epoch \(history.bestEpoch)."
        return accuracy.svg() + loss.svg() + "<p>\(HTML.escape(note))</p>"
    }
}
