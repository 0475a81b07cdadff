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
    /// The verdict from both checks: "passed" (randomisation passed and the insertion curve beats
    /// a random order), "mixed" (passed, but insertion does not beat random), "failed"
    /// (randomisation failed) or "undetermined".
    public var standing: String
    /// The line the figures are said in: "randomisation passed (ρ 0.36, passes < 0.5) · insertion 0.87 vs random 0.80".
    public var line: String
    /// Both checks reconciled in plain words, the figures left to `line`: "depends on the model, but
    /// does not rank pixels better than chance".
    public var words: String

    /// How `standing` is decided, said once wherever verdicts are shown.
    public static let rule = "passed: the maps change when the model's weights are randomised and insertion in the map's order "
        + "beats a random order; mixed: they change, but insertion does not beat random; failed: they do not change; "
        + "undetermined: too few usable maps to tell."

    public init(_ record: MethodTrust) {
        method = record.method.rawValue
        title = record.method.title
        self.record = record
        verdict = record.randomisation?.outcome.rawValue
        standing = Self.standing(record)
        line = Self.line(record) ?? "no record"
        words = Self.words(record)
    }

    /// Every method either report measured, in registry order (those not applicable to the model left out).
    public static func all(randomisation: ModelRandomisationReport?, faithfulness: FaithfulnessReport?) -> [TrustVerdict] {
        MethodTrust.summarise(randomisation: randomisation, faithfulness: faithfulness)
            .filter { $0.randomisation != nil || $0.insertion != nil || $0.deletion != nil }.map(TrustVerdict.init)
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
    static func line(_ trust: MethodTrust?) -> String? {
        guard let trust else { return nil }
        var parts: [String] = []
        if let verdict = trust.randomisation {
            parts.append("randomisation \(verdict.words)"
                         + (verdict.topStepSpearman.map { " (ρ \(String(format: "%.2f", $0)), passes < \(verdict.threshold))" } ?? ""))
        }
        if let insertion = trust.insertion {
            parts.append("insertion \(String(format: "%.2f", insertion.map)) vs random \(String(format: "%.2f", insertion.random))"
                         + (insertion.shareBeatingRandom.map { ", beats it on \(Int(($0 * 100).rounded()))%" } ?? ""))
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    static func standing(_ record: MethodTrust) -> String {
        switch record.randomisation?.outcome {
        case .passed?: record.insertion.map { $0.map > $0.random } == false ? "mixed" : "passed"
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
        verdicts = TrustVerdict.all(randomisation: randomisation, faithfulness: faithfulness)
        images = randomisation?.imageIndices.count ?? faithfulness?.imageIndices.count ?? 0
        self.randomisation = randomisation
        self.faithfulness = faithfulness
        self.exactAnswers = exactAnswers
        self.dataRandomisation = dataRandomisation
    }
}
