import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// "Can we trust these maps?": the model-randomisation table, its cascade plot and the maps of one
    /// image at every step, the faithfulness table and curves, and (softmax) the exact answers.
    public static func trustPage(_ figures: TrustFigures, name: String, data: PageData) throws -> ReportPage {
        let report = figures.randomisation
        let sampleCount = figures.sample.count
        var body = """
        <p class=lecture>A map can look convincing and still say nothing about the model. Two checks, on \(sampleCount) test
        images of the \(HTML.escape(name)) (chosen with seed \(report.settings.seed); each map explains the class the model
        predicts): <b>model randomisation</b> (Adebayo et al. 2018) replaces the trained weights by fresh random ones,
        from the top layer down, and asks whether the maps change, as maps that explain the model must; <b>faithfulness</b>
        (Samek et al. 2017, Petsiuk et al. 2018) removes or inserts pixels in the map's order and watches the class's
        probability. Measured in \(String(format: "%.1f", figures.seconds)) s.</p>
        """
        body += verdictSection(TrustVerdict.all(randomisation: report, faithfulness: figures.faithfulness,
                                                dataRandomisation: figures.dataRandomisation))
        body += randomisationSection(report)
        body += "<h2 id=\"cascade\">One image through the cascade</h2><p class=note>Each method's map of the same test image "
            + "at every step, laid over the image (the original first), each map on its own scale (max |·| over channels, transparent "
            + "where zero, yellow where largest): ranks are what the table compares.</p>"
        let image = figures.sample.images.slice(0..<1).reshaped(Array(figures.sample.images.shape.dropFirst()))
        for (method, steps) in figures.cascade where !steps.isEmpty {
            var cells = [Figure(picture: try Picture.image(image, alt: "test image \(figures.sample.indices[0])"),
                                caption: "test image \(figures.sample.indices[0])")]
            for (index, step) in steps.enumerated() {
                let reduced = try ChannelReduction.maxAbsolute.reduce(step.map)
                let caption = index == 0 ? "trained" : index == 1 ? step.label.replacingOccurrences(of: "cascade ", with: "") + " random"
                    : "+ " + step.label.replacingOccurrences(of: "cascade ", with: "")
                cells.append(Figure(picture: try Picture.map(step.map, reduction: .maxAbsolute,
                                                             scale: MapScale.fitting([reduced], kind: .magnitude), over: image,
                                                             alt: "\(method.title) map, \(caption), over the image"), caption: caption))
            }
            body += PictureGrid.html(cells, heading: method.title)
        }
        body += try faithfulnessSection(figures.faithfulness)
        body += exactAnswersSection(figures.exactAnswers, images: sampleCount)
        if let data = figures.dataRandomisation {
            body += dataRandomisationSection(data)
        } else {
            body += "<h2 id=\"data-randomisation\">Data randomisation</h2><p class=note>Not run for this page: it retrains the model "
                + "twice (on shuffled labels, and a control on the true labels from another seed), which takes minutes on a CNN. "
                + "<code>lens explain --model MODEL --method sanity --retrain</code> runs it and writes its table.</p>"
        }
        return ReportPage(fileName: "trust.html", title: "Can we trust these maps?", body: body, navigationTitle: "Trust")
    }

    /// Each method's one verdict on this model, in the words and colours of the web app's badges.
    /// Each verdict is said in words; its figures open under it, with links to the tables below.
    static func verdictSection(_ verdicts: [TrustVerdict]) -> String {
        guard !verdicts.isEmpty else { return "" }
        return "<h2 id=\"verdicts\">Verdicts</h2><ul class=verdicts>" + verdicts.map { verdict in
            "<li><details><summary><span class=badge data-state=\(verdict.standing)>\(HTML.escape(verdict.standing))</span> "
                + "<b>\(HTML.escape(verdict.title))</b> \(HTML.escape(verdict.words))</summary><p class=note>"
                + HTML.escape(verdict.line) + " · <a href=\"#randomisation\">randomisation table</a> · "
                + "<a href=\"#faithfulness\">insertion and deletion curves</a></p></details></li>"
        }.joined() + "</ul><p class=note>" + HTML.escape(TrustVerdict.rule) + " Click a verdict for its figures.</p>"
    }

    /// The model-randomisation table and its cascade plot.
    static func randomisationSection(_ report: ModelRandomisationReport) -> String {
        var body = "<h2 id=\"randomisation\">Model randomisation (cascading)</h2>"
        let applicable = report.methods.filter { $0.notApplicable == nil }
        let stepNames = applicable.first?.cascading.map(\.layer) ?? []
        // No-break spaces inside each figure: a narrow cell wraps only between Spearman and SSIM.
        func spread(_ value: Spread?) -> String {
            value.map { String(format: "%.2f\u{00A0}±\u{00A0}%.2f", $0.mean, $0.std) } ?? "–"
        }
        let rows = applicable.map { method -> [String] in
            let cells = stepNames.map { layer -> String in
                guard let step = method.cascading.first(where: { $0.layer == layer }) else { return "–" }
                return spread(step.agreement.spearman) + " / " + spread(step.agreement.ssim)
            }
            let constant = method.cascading.map { "\($0.agreement.constantMaps)" }.joined(separator: ", ")
            return [method.method.title] + cells + [constant, method.verdict?.outcome.rawValue ?? "–"]
        }
        body += "<div class=scroll>" + HTML.table(
            header: ["method"] + stepNames.enumerated().map { $0.offset == 0 ? "\($0.element) random" : "+ \($0.element)" }
                + ["constant maps per step", "verdict"],
            rows: rows, numericColumns: Set(1...max(1, stepNames.count))) + "</div>"
        body += "<p class=note>Each cell: Spearman rank correlation of |map| (" + HTML.escape(report.reduction) + ") with the trained "
            + "model's map / SSIM, mean ± standard deviation over the images. Constant maps (no rank order) are counted and left "
            + "out of the mean. Verdict: " + HTML.escape(applicable.first?.verdict?.rule ?? "none") + ". Re-initialised weights: seed "
            + "\(report.randomisationSeed).</p>"
        body += notApplicableNotes(report.methods.map { ($0.method, $0.notApplicable) })
        let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        var chart = LineChart(title: "", xLabel:
                                "layers randomised, from the top (0 = trained model: " + stepNames.enumerated().map { "\($0.offset + 1) = \($0.element)" }.joined(separator: ", ") + ")",
                              yLabel: "Spearman", series: applicable.enumerated().map { index, method in
                                  LineChart.Series(name: method.method.title, color: palette[index % palette.count],
                                                   points: [(0, 1)] + method.cascading.enumerated().compactMap { step, item in
                                                       item.agreement.spearman.map { (Double(step + 1), $0.mean) }
                                                   })
                              }, yRange: -0.2...1)
        chart.drawsLegend = false
        body += "<h3>Mean Spearman with the trained model's maps, step by step</h3><div class=scroll>" + chart.svg(width: 900, height: 300)
            + "</div>" + chart.legendHTML

        return body
    }

    /// Why each method left out of a table does not apply, one note each under the table (a sentence
    /// in a figure's narrow column would wrap a word a line).
    static func notApplicableNotes(_ methods: [(method: AttributionMethod, reason: String?)]) -> String {
        methods.compactMap { item in
            item.reason.map { "<p class=note>\(HTML.escape(item.method.title)): \(HTML.escape($0))</p>" }
        }.joined()
    }

    /// Softmax regression's maps against their closed-form answers.
    static func exactAnswersSection(_ exact: [ExactAnswerCheck]?, images sampleCount: Int) -> String {
        var body = ""
        if let exact {
            body += "<h2 id=\"exact\">Exact answers</h2><p class=note>Softmax regression's maps are known in closed form; "
                + "the largest difference between each map and its answer, over every pixel of the \(sampleCount) images.</p>"
            body += HTML.table(header: ["method", "must equal", "largest difference", "largest value of the answer"],
                               rows: exact.map { [$0.method, $0.expected, $0.largestDifference.map(MapNumber.format) ?? ($0.notAvailable ?? "–"),
                                                  $0.largestExpected.map(MapNumber.format) ?? "–"] }, numericColumns: [2, 3])
        }
        return body
    }

    /// `lens explain --method sanity` or `faithfulness`: the verdicts and the checks that ran, with
    /// the report's tables and curves.
    public static func trustChecksPage(_ figure: TrustFigure, title: String) throws -> ReportPage {
        var body = verdictSection(figure.verdicts)
        if let randomisation = figure.randomisation { body += randomisationSection(randomisation) }
        body += exactAnswersSection(figure.exactAnswers, images: figure.images)
        if let faithfulness = figure.faithfulness { body += try faithfulnessSection(faithfulness) }
        if let data = figure.dataRandomisation { body += dataRandomisationSection(data) }
        return ReportPage(fileName: "index.html", title: title, body: body)
    }

    /// The data-randomisation table (Adebayo et al. 2018): each method's maps on the model against
    /// a control retrained on the true labels and a model retrained on shuffled ones.
    static func dataRandomisationSection(_ data: DataRandomisationReport) -> String {
        var body = "<h2 id=\"data-randomisation\">Data randomisation</h2><p class=note>" + String(
            format: "The model's recipe retrained on shuffled labels (training accuracy %.3f) and, as a control, on the true labels from another seed (%.3f); Spearman of each method's maps with the control's and the shuffled model's. A method that explains what the model learned from its labels agrees more with the control than with the shuffled model.",
            data.shuffled.trainingAccuracy, data.control.trainingAccuracy)
            + (data.shuffled.memorised == false ? String(format: " The shuffled model did not memorise its labels in %d epochs (%d rounds), so its maps are "
                + "those of a half-trained model: read the verdicts as provisional.", data.shuffled.epochs, data.shuffled.rounds) : "") + "</p>"
        body += HTML.table(header: ["method", "with the control", "with the shuffled model", "verdict"], rows: data.methods.map { method in
            [method.method.title, method.realVsControl?.spearman.map { String(format: "%.2f", $0.mean) } ?? "–",
             method.realVsShuffled?.spearman.map { String(format: "%.2f", $0.mean) } ?? (method.notApplicable ?? "–"),
             method.verdict?.outcome.rawValue ?? "–"]
        }, numericColumns: [1, 2])
        return body
    }

    static func faithfulnessSection(_ report: FaithfulnessReport) throws -> String {
        var html = "<h2 id=\"faithfulness\">Faithfulness</h2><p class=note>Steps of \(String(format: "%.3g", report.settings.stepFraction)) "
            + "of the pixels, in the order of |map| (" + HTML.escape(report.reduction) + "). Deletion: the class's probability as "
            + "pixels are set to the baseline, a small area is good; insertion: as pixels are copied from the image onto the "
            + "baseline, a large area is good. Controls on the same images: the map's reversed order, a random order, and the "
            + "brightest pixels first (with a black baseline that alone rebuilds a face, so the headline figure is insertion "
            + "into a blurred copy, which brightness does not win). Share: images on which the map beats the random order. "
            + "Blur: " + HTML.escape(report.blur) + ", σ \(MapNumber.format(report.settings.blurSigma)).</p>"
        func area(_ curve: Curve) -> String { curve.auc.map { String(format: "%.3f", $0.mean) } ?? "–" }
        func cells(_ comparison: CurveComparison) -> [String] {
            [area(comparison.map), area(comparison.reversed), area(comparison.random), area(comparison.brightness),
             comparison.shareBeatingRandom.map { String(format: "%.0f%%", $0 * 100) } ?? "–"]
        }
        var rows: [[String]] = []
        for method in report.methods where method.notApplicable == nil {
            for baseline in method.baselines {
                rows.append([method.method.title, baseline.baseline.rawValue] + cells(baseline.deletion) + cells(baseline.insertion)
                            + ["\(baseline.insertion.images) (\(baseline.insertion.constantMaps) constant)"])
            }
        }
        html += "<div class=scroll>" + HTML.table(
            header: ["method", "baseline", "deletion: map", "reversed", "random", "brightness", "share", "insertion: map", "reversed",
                     "random", "brightness", "share", "images"], rows: rows, numericColumns: Set(2...12)) + "</div>"
        html += notApplicableNotes(report.methods.map { ($0.method, $0.notApplicable) })
        html += "<h3>Curves (mean over the images)</h3><div class=figs>"
        let fractions = report.fractions
        for method in report.methods {
            guard let headline = method.baselines.first(where: { $0.baseline == TrustSettings.headlineBaseline }) ?? method.baselines.first else { continue }
            for (kind, comparison) in [("insertion", headline.insertion), ("deletion", headline.deletion)] {
                func series(_ name: String, _ color: String, _ curve: Curve) -> LineChart.Series {
                    LineChart.Series(name: name, color: color, points: zip(fractions, curve.meanCurve).map { (x: $0, y: $1) })
                }
                let chart = LineChart(title: "", xLabel: "share of pixels",
                                      yLabel: "probability", series: [series("map", "#d62728", comparison.map),
                                                                      series("reversed", "#9467bd", comparison.reversed),
                                                                      series("random", "#7f7f7f", comparison.random),
                                                                      series("bright", "#ff7f0e", comparison.brightness)],
                                      yRange: 0...1)
                html += "<figure class=fig><figcaption><b>\(HTML.escape(method.method.title)): \(kind)</b> (\(headline.baseline.rawValue) baseline)</figcaption>" + chart.svg(width: 420, height: 230) + "</figure>"
            }
        }
        return html + "</div>"
    }
}
