import Foundation
import LensExplain

/// One method's verdict on one model, from both trust checks: the one reconciliation of the web
/// app's badges, the report's trust page and `lens explain --method sanity` / `faithfulness`.
public struct TrustVerdict: Codable, Sendable {
    public var method: String
    public var title: String
    public var record: MethodTrust
    /// The model-randomisation verdict ("passed", "failed", "undetermined"), when measured.
    public var verdict: String?
    /// The data-randomisation verdict (retrained on shuffled labels), when that check was run.
    public var dataRandomisation: DataRandomisationVerdict?
    /// The verdict from every check run: "passed" (model randomisation passed, data randomisation
    /// did not fail and the insertion curve beats a random order), "mixed" (model randomisation
    /// passed, but another check did not), "failed" (model randomisation failed) or "undetermined".
    public var standing: String
    /// The line the figures are said in: "randomisation passed (ρ 0.36, passes < 0.5) · insertion 0.87 vs random 0.80".
    public var line: String
    /// Both checks reconciled in plain words, the figures left to `line`: "depends on the model, but
    /// does not rank pixels better than chance".
    public var words: String

    /// How `standing` is decided, said once wherever verdicts are shown.
    public static let rule = "passed: the maps change when the model's weights are randomised, a model retrained on shuffled "
        + "labels (where that check ran) draws different maps, and insertion in the map's order beats a random order; "
        + "mixed: they change, but another check does not agree; failed: they do not change; "
        + "undetermined: too few usable maps to tell."

    /// `data`: the method's data-randomisation verdict, where the model was retrained on shuffled labels.
    public init(_ record: MethodTrust, data: DataRandomisationVerdict? = nil) {
        method = record.method.rawValue
        title = record.method.title
        self.record = record
        verdict = record.randomisation?.outcome.rawValue
        dataRandomisation = data
        standing = Self.standing(record, data: data?.outcome)
        line = Self.line(record, data: data) ?? "no record"
        words = Self.words(record, data: data?.outcome)
    }

    /// Every method either report measured, in registry order (those not applicable to the model
    /// left out), each reconciled with its data-randomisation verdict where that check ran.
    public static func all(randomisation: ModelRandomisationReport?, faithfulness: FaithfulnessReport?,
                           dataRandomisation: DataRandomisationReport? = nil) -> [TrustVerdict] {
        MethodTrust.summarise(randomisation: randomisation, faithfulness: faithfulness)
            .filter { $0.randomisation != nil || $0.insertion != nil || $0.deletion != nil }
            .map { TrustVerdict($0, data: dataRandomisation?.method($0.method)?.verdict) }
    }

    /// The words of both model checks, with what data randomisation adds when it failed (a model
    /// that learned nothing from its labels draws the same maps) or passed where the rest failed.
    static func words(_ record: MethodTrust, data: RandomisationVerdict.Outcome?) -> String {
        let words = words(record)
        switch (data, record.randomisation?.outcome) {
        case (.failed?, _): return words + "; yet a model retrained on shuffled labels draws much the same maps"
        case (.passed?, .failed?): return words + "; a model retrained on shuffled labels draws different maps"
        default: return words
        }
    }

    /// What the two checks say together: whether the maps depend on the model (randomisation) and
    /// whether their pixel order finds what the model uses (insertion against a random order).
    static func words(_ record: MethodTrust) -> String {
        let ranks = record.insertion.map { $0.map > $0.random }
        switch (record.randomisation?.outcome, ranks) {
        case (.passed?, true?): return "depends on the model and ranks pixels better than chance"
        case (.passed?, false?): return "depends on the model, but does not rank pixels better than chance"
        case (.passed?, nil): return "depends on the model (its pixel order was not measured)"
        case (.failed?, true?): return "ranks pixels better than chance, but hardly depends on the model: a random network draws much the same map"
        case (.failed?, false?): return "hardly depends on the model and does not rank pixels better than chance"
        case (.failed?, nil): return "hardly depends on the model: a random network draws much the same map"
        case (_, true?): return "ranks pixels better than chance; too few usable maps to tell whether it depends on the model"
        case (_, false?): return "does not rank pixels better than chance; too few usable maps to tell whether it depends on the model"
        case (_, nil): return "too few usable maps to tell"
        }
    }

    /// "randomisation passed (ρ 0.36, passes < 0.5) · insertion 0.87 vs random 0.80", or nil without a record.
    static func line(_ trust: MethodTrust?, data: DataRandomisationVerdict? = nil) -> String? {
        guard let trust else { return nil }
        var parts: [String] = []
        if let verdict = trust.randomisation {
            parts.append("randomisation \(verdict.words)"
                         + (verdict.topStepSpearman.map { " (ρ \(String(format: "%.2f", $0)), passes < \(verdict.threshold))" } ?? ""))
        }
        if let data {
            parts.append("data randomisation \(data.words)"
                         + (data.difference.map { String(format: " (control minus shuffled ρ %.2f, passes ≥ %.2g)", $0, data.margin) } ?? ""))
        }
        if let insertion = trust.insertion {
            parts.append("insertion \(String(format: "%.2f", insertion.map)) vs random \(String(format: "%.2f", insertion.random))"
                         + (insertion.shareBeatingRandom.map { ", beats it on \(Int(($0 * 100).rounded()))%" } ?? ""))
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    static func standing(_ record: MethodTrust, data: RandomisationVerdict.Outcome? = nil) -> String {
        switch record.randomisation?.outcome {
        case .passed?: record.insertion.map { $0.map > $0.random } == false || data == .failed ? "mixed" : "passed"
        case .failed?: "failed"
        case .undetermined?, nil: "undetermined"
        }
    }
}

/// The trust checks `lens explain` ran on one model, with each method's verdict: its page draws
/// the report's tables for whichever checks are present.
public struct TrustFigure: Codable, Sendable {
    public var model: String
    public var verdicts: [TrustVerdict]
    public var images: Int
    public var randomisation: ModelRandomisationReport?
    public var faithfulness: FaithfulnessReport?
    public var exactAnswers: [ExactAnswerCheck]?
    public var dataRandomisation: DataRandomisationReport?

    public init(model: String, randomisation: ModelRandomisationReport?, faithfulness: FaithfulnessReport?,
                exactAnswers: [ExactAnswerCheck]?, dataRandomisation: DataRandomisationReport?) {
        self.model = model
        verdicts = TrustVerdict.all(randomisation: randomisation, faithfulness: faithfulness, dataRandomisation: dataRandomisation)
        images = randomisation?.imageIndices.count ?? faithfulness?.imageIndices.count ?? 0
        self.randomisation = randomisation
        self.faithfulness = faithfulness
        self.exactAnswers = exactAnswers
        self.dataRandomisation = dataRandomisation
    }
}
