import Foundation
import LensExplain
import LensTensor

/// What `lens explain` prints for an attribution method (`--json` gives it whole): the numbers of
/// its `AttributionFigure`, whose pictures are in the output folder.
public struct AttributionReport: Encodable {
    public var model: String
    public var method: String
    public var settings: [String: String]
    public var items: [Item]
    public var directory: String

    public struct Item: Encodable {
        public var image: String
        public var trueClass: String?
        public var predicted: String
        public var target: String
        public var targetProbability: Float
        public var convergenceDelta: Float?
        /// Why the map was not drawn (NaN, infinite or constant values).
        public var problem: String?
        public var files: [String]

        enum CodingKeys: String, CodingKey {
            case image, predicted, target, files, problem
            case trueClass = "true_class", targetProbability = "target_probability", convergenceDelta = "convergence_delta"
        }
    }

    public var summary: String {
        var lines = ["\(method) (\(settings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))) → \(OneLine.escape(directory))/index.html"]
        for item in items {
            var line = "\(OneLine.escape(item.image)): explains \(OneLine.escape(item.target)) (p = \(String(format: "%.3f", item.targetProbability)))"
            if item.predicted != item.target { line += ", predicted \(OneLine.escape(item.predicted))" }
            if let delta = item.convergenceDelta { line += String(format: ", convergence delta %.2g", delta) }
            if let problem = item.problem { line += "; not drawn: \(problem)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    init(_ figure: AttributionFigure, files: [[String]], directory: String) {
        model = figure.model
        method = figure.method
        settings = figure.settings
        items = zip(figure.items, files).map { item, files in
            Item(image: item.image, trueClass: item.trueClass, predicted: item.predicted, target: item.target,
                 targetProbability: item.targetProbability, convergenceDelta: item.convergenceDelta, problem: item.map.problem,
                 files: files)
        }
        self.directory = directory
    }
}

/// `TemplatesFigure` without its pictures (they are in index.html), under the CLI's names.
public struct TemplatesReport: Encodable {
    public var model: String
    public var kind: String
    public var layer: String
    public var count: Int
    /// The templates drawn in the grid, by index (the first ones; voters are drawn besides).
    public var shown: [Int]
    /// The one symmetric scale of every picture: ±bound.
    public var bound: Float
    public var faceLikeness: Float?
    public var faceLikenessPerClass: [Float]?
    public var faceLikenessProblem: String?
    /// The likeness figure's name: face-likeness on faces, class-mean likeness on other data.
    public var likenessLabel: String?
    public var smoothness: Float?
    public var smoothnessPerClass: [Float]?
    public var votes: [Votes]
    public var directory: String

    public struct Votes: Encodable {
        public var `class`: String
        public var units: [Int]
        public var weights: [Float]
    }

    enum CodingKeys: String, CodingKey {
        case model, kind, layer, count, shown, bound, votes, directory
        case faceLikeness = "face_likeness", faceLikenessPerClass = "face_likeness_per_class", faceLikenessProblem = "face_likeness_problem"
        case likenessLabel = "likeness_label", smoothness, smoothnessPerClass = "smoothness_per_class"
    }

    public init(model: String, figure: TemplatesFigure, directory: String) {
        self.model = model
        kind = figure.kind
        layer = figure.layer
        count = figure.count
        shown = figure.grid
        bound = figure.bound
        faceLikeness = figure.likeness?.mean
        faceLikenessPerClass = figure.likeness?.perClass
        faceLikenessProblem = figure.likenessProblem
        likenessLabel = figure.likeness?.label
        smoothness = figure.smoothness?.mean
        smoothnessPerClass = figure.smoothness?.perClass
        votes = figure.votes.map { Votes(class: $0.class, units: $0.votes.map(\.unit), weights: $0.votes.map(\.weight)) }
        self.directory = directory
    }

    public var summary: String {
        var line = "\(count) templates (\(kind)) of \(layer)"
            + (shown.count < count ? ", the first \(shown.count) drawn" : "") + " → \(directory)/index.html"
        if let faceLikeness {
            line += "\n\(likenessLabel ?? "likeness") " + String(format: "%.3f (mean Pearson correlation with each class's centred mean image)", faceLikeness)
        }
        if let smoothness { line += String(format: "\nsmoothness %.3f (mean correlation of each class template with its σ = 1.5 px blur)", smoothness) }
        if let faceLikenessProblem { line += "\nface-likeness not computed: \(faceLikenessProblem)" }
        return line
    }
}

public struct NearestReport: Encodable {
    public var model: String
    public var space: String
    public var metric: String
    public var unusualPercentile: Double
    public var unusualMargin: Double
    public var unusualAbove: Float
    public var profileAbove: Float?
    /// The split the threshold was chosen on, and how often it fires on the test split and on strangers.
    public var calibration: String
    public var flagRates: UnusualFlagRates
    public var items: [Item]
    public var directory: String

    public struct Neighbor: Encodable {
        public var trainingIndex: Int
        public var `class`: String
        public var distance: Float
        enum CodingKeys: String, CodingKey { case `class`, distance, trainingIndex = "training_index" }
    }

    public struct Item: Encodable {
        public var image: String
        public var neighbors: [Neighbor]
        public var percentile: Double
        public var unusual: Bool
    }

    enum CodingKeys: String, CodingKey {
        case model, space, metric, items, directory
        case unusualPercentile = "unusual_percentile", unusualMargin = "unusual_margin", unusualAbove = "unusual_above", calibration, flagRates = "flag_rates"
        case profileAbove = "profile_above"
    }

    public var summary: String {
        var lines = ["nearest training images (\(space), \(metric)) → \(OneLine.escape(directory))/index.html",
                     "unusual above \(String(format: "%.4g", unusualAbove)) (\(NearestEvidence.rule(percentile: unusualPercentile, margin: unusualMargin)) of the \(calibration) split's nearest distances)"
                        + "\(NearestEvidence.profileRule(above: profileAbove)): \(flagRates.summary)"]
        for item in items {
            let neighbors = item.neighbors.map { "\(OneLine.escape($0.class)) \(String(format: "%.3g", $0.distance))" }.joined(separator: ", ")
            lines.append("\(OneLine.escape(item.image)): \(neighbors); percentile \(String(format: "%.0f", item.percentile))\(item.unusual ? " UNUSUAL" : "")")
        }
        return lines.joined(separator: "\n")
    }

    init(_ figure: NearestFigure, directory: String) {
        model = figure.model
        space = figure.space
        metric = figure.metric
        unusualPercentile = figure.unusualPercentile
        unusualMargin = figure.unusualMargin
        unusualAbove = figure.unusualAbove
        profileAbove = figure.profileAbove
        calibration = figure.calibration
        flagRates = figure.flagRates
        items = figure.items.map { item in
            Item(image: item.image, neighbors: item.nearest.neighbours.map { Neighbor(trainingIndex: $0.index, class: $0.class, distance: $0.distance) },
                 percentile: item.nearest.percentile, unusual: item.nearest.unusual)
        }
        self.directory = directory
    }
}

public struct UnitsReport: Encodable {
    public var model: String
    public var layer: String
    public var receptiveField: Int?
    public var imagesSearched: Int
    public var projections: Bool
    /// The layer's units that never fire on the images searched, and those that fire on fewer than
    /// `UnitActivity.rareFraction` of them (`UnitsFigure`'s counts); dead units are never in `units`.
    public var deadUnits: Int
    public var rareUnits: Int
    public var dead: [Int]
    public var rare: [Int]
    public var units: [Unit]
    public var directory: String

    public struct Activation: Encodable {
        public var trainingIndex: Int
        public var value: Float
        public var y: Int
        public var x: Int
        enum CodingKeys: String, CodingKey { case value, y, x, trainingIndex = "training_index" }
    }

    public struct Unit: Encodable {
        public var unit: Int
        public var firingImages: Int
        public var activity: UnitActivity
        public var top: [Activation]
        enum CodingKeys: String, CodingKey { case unit, activity, top, firingImages = "firing_images" }
    }

    enum CodingKeys: String, CodingKey {
        case model, layer, projections, units, directory, dead, rare
        case receptiveField = "receptive_field", imagesSearched = "images_searched"
        case deadUnits = "dead_units", rareUnits = "rare_units"
    }

    public var summary: String {
        "\(units.count) units of \(layer) over \(imagesSearched) training images (\(deadUnits) dead, \(rareUnits) rare)"
            + (receptiveField.map { ", receptive field \($0)x\($0) pixels" } ?? "")
            + (projections ? ", with deconvnet projections" : "") + " → \(directory)/index.html"
    }

    init(_ figure: UnitsFigure, projections: Bool, directory: String) {
        model = figure.model
        layer = figure.layer.name
        receptiveField = figure.layer.receptiveField
        imagesSearched = figure.imageCount
        self.projections = projections
        (deadUnits, rareUnits, dead, rare) = (figure.deadUnits, figure.rareUnits, figure.dead, figure.rare)
        units = figure.units.map { unit in
            Unit(unit: unit.unit, firingImages: unit.firingImages, activity: unit.activity, top: unit.activations.map { Activation(trainingIndex: $0.datasetIndex, value: $0.value, y: $0.y, x: $0.x) })
        }
        self.directory = directory
    }
}

/// `sanity`'s figures: model randomisation (and exact answers), and with --retrain data randomisation.
public struct SanityRun: Encodable {
    public var sanity: SanityReport
    public var dataRandomisation: DataRandomisationReport?
}

/// Terminal summaries of the trust checks (the whole figures are in --json and report.json).
public enum ExplainSummaries {
    public static func sanity(_ run: SanityRun) -> String {
        let report = run.sanity
        var lines = ["model randomisation over \(report.randomisation.imageIndices.count) test images (threshold \(report.randomisation.settings.randomisationThreshold))"]
        for method in report.randomisation.methods {
            if let reason = method.notApplicable { lines.append("  \(method.method.rawValue): not applicable (\(reason))"); continue }
            let spearman = method.verdict?.topStepSpearman.map { String(format: "%.2f", $0) } ?? "–"
            lines.append("  \(method.method.rawValue): \(method.verdict?.words ?? "undetermined") (mean Spearman at the top step \(spearman))")
        }
        for check in report.exactAnswers ?? [] {
            lines.append("  exact answer: \(check.method) vs \(check.expected): largest difference \(check.largestDifference.map { String(format: "%.2g", $0) } ?? "–")")
        }
        if let data = run.dataRandomisation {
            lines.append(String(format: "data randomisation: shuffled-label model %.3f training accuracy, control %.3f", data.shuffled.trainingAccuracy, data.control.trainingAccuracy))
            for method in data.methods {
                if let reason = method.notApplicable { lines.append("  \(method.method.rawValue): not applicable (\(reason))"); continue }
                let control = method.realVsControl?.spearman.map { String(format: "%.2f", $0.mean) } ?? "–"
                let shuffled = method.realVsShuffled?.spearman.map { String(format: "%.2f", $0.mean) } ?? "–"
                lines.append("  \(method.method.rawValue): \(method.verdict?.words ?? "undetermined") (Spearman with the control \(control), with the shuffled model \(shuffled))")
            }
        }
        return lines.joined(separator: "\n")
    }

    public static func faithfulness(_ report: FaithfulnessReport) -> String {
        var lines = ["deletion and insertion over \(report.imageIndices.count) test images, steps of \(String(format: "%.4g", report.settings.stepFraction))"]
        for method in report.methods {
            if let reason = method.notApplicable { lines.append("  \(method.method.rawValue): not applicable (\(reason))"); continue }
            for baseline in method.baselines {
                func auc(_ curve: Curve) -> String { curve.auc.map { String(format: "%.3f", $0.mean) } ?? "–" }
                lines.append("  \(method.method.rawValue), \(baseline.baseline.rawValue): insertion \(auc(baseline.insertion.map)) (random \(auc(baseline.insertion.random)), brightness \(auc(baseline.insertion.brightness))), deletion \(auc(baseline.deletion.map)) (random \(auc(baseline.deletion.random)))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The trust checks' headline figures under the names users look for (`spearman`, `ssim`,
/// `deletion_auc`, `insertion_auc`, and the controls `random`, `brightness`, `reversed`), beside
/// the whole report.
public struct TrustOutput<Report: Encodable>: Encodable {
    public var summary: [Row]
    public var report: Report

    public struct Row: Encodable {
        public var method: String
        public var notApplicable: String?
        // Sanity: at the top randomisation step.
        public var spearman: Double?
        public var ssim: Double?
        public var verdict: String?
        // Sanity --retrain: agreement with the control and with the shuffled-label model.
        public var controlSpearman: Double?
        public var shuffledSpearman: Double?
        public var dataVerdict: String?
        // Faithfulness.
        public var baseline: String?
        public var deletionAUC: Double?
        public var insertionAUC: Double?
        public var random: Control?
        public var brightness: Control?
        public var reversed: Control?
        public var shareBeatingRandom: Double?
        /// `TrustVerdict`'s standing: the one verdict from the checks run.
        public var standing: String? = nil

        enum CodingKeys: String, CodingKey {
            case method, spearman, ssim, verdict, baseline, random, brightness, reversed, standing
            case notApplicable = "not_applicable", deletionAUC = "deletion_auc", insertionAUC = "insertion_auc"
            case shareBeatingRandom = "share_beating_random", controlSpearman = "control_spearman"
            case shuffledSpearman = "shuffled_spearman", dataVerdict = "data_verdict"
        }
    }

    public struct Control: Encodable {
        public var deletionAUC: Double?
        public var insertionAUC: Double?
        enum CodingKeys: String, CodingKey { case deletionAUC = "deletion_auc", insertionAUC = "insertion_auc" }
    }
}

extension TrustOutput where Report == SanityRun {
    public init(_ run: SanityRun) {
        report = run
        summary = run.sanity.randomisation.methods.map { method in
            let top = method.cascading.first?.agreement
            let data = run.dataRandomisation?.method(method.method)
            return Row(method: method.method.rawValue, notApplicable: method.notApplicable, spearman: top?.spearman?.mean,
                       ssim: top?.ssim?.mean, verdict: method.verdict?.outcome.rawValue,
                       controlSpearman: data?.realVsControl?.spearman?.mean, shuffledSpearman: data?.realVsShuffled?.spearman?.mean,
                       dataVerdict: data?.verdict?.outcome.rawValue)
        }
        withStandings(TrustVerdict.all(randomisation: run.sanity.randomisation, faithfulness: nil,
                                       dataRandomisation: run.dataRandomisation))
    }
}

extension TrustOutput where Report == FaithfulnessReport {
    public init(_ report: FaithfulnessReport) {
        self.report = report
        summary = report.methods.flatMap { method -> [Row] in
            guard method.notApplicable == nil else { return [Row(method: method.method.rawValue, notApplicable: method.notApplicable)] }
            return method.baselines.map { figures in
                func control(_ deletion: Curve, _ insertion: Curve) -> Control { Control(deletionAUC: deletion.auc?.mean, insertionAUC: insertion.auc?.mean) }
                return Row(method: method.method.rawValue, baseline: figures.baseline.rawValue,
                           deletionAUC: figures.deletion.map.auc?.mean, insertionAUC: figures.insertion.map.auc?.mean,
                           random: control(figures.deletion.random, figures.insertion.random),
                           brightness: control(figures.deletion.brightness, figures.insertion.brightness),
                           reversed: control(figures.deletion.reversed, figures.insertion.reversed),
                           shareBeatingRandom: figures.insertion.shareBeatingRandom)
            }
        }
        withStandings(TrustVerdict.all(randomisation: nil, faithfulness: report))
    }
}

extension TrustOutput {
    mutating func withStandings(_ verdicts: [TrustVerdict]) {
        for index in summary.indices {
            summary[index].standing = verdicts.first { $0.method == summary[index].method }?.standing
        }
    }
}
