import Foundation
import LensExplain
import LensRender
import Testing
@testable import LensStudio

/// One verdict per method and model, in plain words that reconcile the two checks, drawn alike in
/// the report (its figures one click away) and the app.
@Suite struct TrustVerdictWordsTests {
    /// A method's record as the trust checks write it: a randomisation outcome and insertion areas.
    static func record(_ outcome: String?, insertion: (map: Double, random: Double)?) throws -> MethodTrust {
        var json = #"{"method": "gradcam""#
        if let outcome {
            json += #", "randomisation": {"outcome": "\#(outcome)", "topStepSpearman": 0.2, "threshold": 0.5, "rule": "r"}"#
        }
        if let insertion {
            json += #", "insertion": {"map": \#(insertion.map), "random": \#(insertion.random), "shareBeatingRandom": 0.25}"#
        }
        return try JSONDecoder().decode(MethodTrust.self, from: Data((json + "}").utf8))
    }

    @Test func theChecksAreReconciledInWords() throws {
        let mixed = TrustVerdict(try Self.record("passed", insertion: (0.66, 0.80)))
        #expect(mixed.standing == "mixed")
        #expect(mixed.words == "depends on the model, but does not rank pixels better than chance")
        let passed = TrustVerdict(try Self.record("passed", insertion: (0.87, 0.80)))
        #expect(passed.standing == "passed" && passed.words == "depends on the model and ranks pixels better than chance")
        let failedButRanks = TrustVerdict(try Self.record("failed", insertion: (0.90, 0.80)))
        #expect(failedButRanks.standing == "failed")
        #expect(failedButRanks.words.hasPrefix("ranks pixels better than chance, but hardly depends on the model"))
        let failed = TrustVerdict(try Self.record("failed", insertion: (0.70, 0.80)))
        #expect(failed.words == "hardly depends on the model and does not rank pixels better than chance")
        #expect(TrustVerdict(try Self.record(nil, insertion: nil)).words == "too few usable maps to tell")
        #expect(mixed.line.contains("insertion 0.66 vs random 0.80"), "the figures stay in the line")
    }

    /// Data randomisation, where it ran, is part of the one verdict: a method that passes model
    /// randomisation and beats random on insertion but fails it is not "passed".
    @Test func dataRandomisationIsReconciledInTheVerdict() throws {
        func data(_ outcome: String) throws -> DataRandomisationVerdict {
            try JSONDecoder().decode(DataRandomisationVerdict.self, from: Data(
                #"{"outcome": "\#(outcome)", "difference": 0.01, "margin": 0.05, "rule": "r"}"#.utf8))
        }
        let record = try Self.record("passed", insertion: (0.87, 0.80))
        #expect(TrustVerdict(record).standing == "passed")
        let failing = TrustVerdict(record, data: try data("failed"))
        #expect(failing.standing == "mixed")
        #expect(failing.words.contains("shuffled labels draws much the same maps"))
        #expect(failing.line.contains("data randomisation failed (control minus shuffled ρ 0.01, passes ≥ 0.05)"))
        #expect(TrustVerdict(record, data: try data("passed")).standing == "passed")
        let failed = TrustVerdict(try Self.record("failed", insertion: (0.90, 0.80)), data: try data("passed"))
        #expect(failed.standing == "failed" && failed.words.hasSuffix("a model retrained on shuffled labels draws different maps"))
        #expect(ExplanationPages.verdictSection([failing]).contains("<span class=badge data-state=mixed>mixed</span>"))
    }

    @Test func theReportSaysTheVerdictAndOpensItsFigures() throws {
        let verdict = TrustVerdict(try Self.record("passed", insertion: (0.66, 0.80)))
        let html = ExplanationPages.verdictSection([verdict])
        #expect(html.contains("<summary><span class=badge data-state=mixed>mixed</span>"))
        #expect(html.contains(HTML.escape(verdict.words)) && html.contains(HTML.escape(verdict.line)))
        #expect(html.contains("<a href=\"#randomisation\">") && html.contains("<a href=\"#faithfulness\">"))
    }

    /// A method that does not apply is said in a note under a trust table, never in a figure's column.
    @Test func methodsThatDoNotApplyAreNotedUnderTheTable() {
        let notes = ExplanationPages.notApplicableNotes([(.gradcam, "Grad-CAM needs a convolutional layer"), (.saliency, nil)])
        #expect(notes == "<p class=note>Grad-CAM: Grad-CAM needs a convolutional layer</p>")
    }

    /// The footer credits the data the pages were made from, and no other.
    @Test func theFooterCreditsTheDataUsed() {
        let page = ReportPage(fileName: "index.html", title: "t", body: "")
        let clothes = page.document(navigation: [page], credit: "Clothes: Fashion-MNIST, Zalando Research (MIT licence).")
        #expect(clothes.contains("Fashion-MNIST") && !clothes.contains("ORL"))
        #expect(!page.document(navigation: [page], credit: nil).contains("ORL"))
        #expect(page.document(navigation: [page], credit: "Faces: ORL Database of Faces, AT&T Laboratories Cambridge.")
            .contains("ORL Database of Faces, AT&amp;T"))
    }
}
