import Foundation
import LensStudio
import Testing
@testable import LensCLI
import LensTestSupport

@Suite("ORL faces through the CLI: 1-NN train and evaluate")
struct ORLNearestNeighborTests {
    @Test("1-NN on ORL: test accuracy >= 0.88 with per-class figures; train split exactly 1; all = 400")
    func orlOneNearestNeighbor() throws {
        let scratch = try ScratchFolder()
        let modelPath = scratch.path("orl-knn.safetensors")
        let (_, summary) = try parse(TrainCommand.self, ["train", "--model", "knn", "--data", "orl", "--out", modelPath]).train()
        #expect((summary.train, summary.validation, summary.test) == (240, 80, 80), "ORL splits 6/2/2 per person")
        // lens train --json prints the same summary under the CLI's snake_case keys.
        let trainRun = try LensBinary.run(["train", "--model", "knn", "--data", "orl", "--out", scratch.path("again.safetensors"), "--json"], in: scratch.url)
        let trained = try #require(try JSONSerialization.jsonObject(with: Data(trainRun.stdout.utf8)) as? [String: Any], "\(trainRun.stdout)")
        #expect(trained["train"] as? Int == 240 && trained["kind"] as? String == "knn")
        #expect(trained["validation_accuracy"] as? Double == summary.validationAccuracy)

        func evaluate(_ extra: [String]) throws -> Evaluation {
            try parse(EvaluateCommand.self, ["evaluate", "--model", modelPath] + extra).evaluate()
        }

        let test = try evaluate([])
        #expect(test.n == 80)
        #expect(test.accuracy >= 0.88, "issue 2 requires at least 0.88; got \(test.accuracy)")
        #expect(test.perClass.count == 40)
        #expect(test.perClass.map(\.support).allSatisfy { $0 == 2 }, "two test faces per person")
        #expect(test.confusion.count == 40 && test.confusion.allSatisfy { $0.count == 40 })
        #expect(test.confusion.joined().reduce(0, +) == 80)
        #expect(test.correct == (0..<40).map { test.confusion[$0][$0] }.reduce(0, +))

        // The --json a user reads (stdout of the `lens` executable) carries the same figures.
        let run = try LensBinary.run(["evaluate", "--model", modelPath, "--json"], in: scratch.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        #expect(json["accuracy"] as? Double == test.accuracy)
        #expect(json["n"] as? Int == 80)
        #expect(json["correct"] as? Int == test.correct)
        #expect(json["split"] as? String == "test")
        #expect(json["macro_f1"] as? Double == test.macroF1, "the CLI's keys are snake_case")
        #expect((json["confusion"] as? [[Int]]).map { $0 == test.confusion } == true)
        let perClass = json["per_class"] as? [[String: Any]]
        #expect(perClass?.count == 40)
        #expect(perClass?.first.map { Set($0.keys).isSuperset(of: ["name", "precision", "recall", "f1", "support"]) } == true)
        #expect(perClass?.compactMap { $0["support"] as? Int } == test.perClass.map(\.support))

        let train = try evaluate(["--split", "train"])
        #expect(train.n == 240)
        #expect(train.accuracy == 1.0, "each training face is its own nearest neighbour")

        let validation = try evaluate(["--split", "validation"])
        #expect(validation.n == 80)

        let all = try evaluate(["--split", "all"])
        #expect(all.n == 400)
        #expect(all.correct == train.correct + validation.correct + test.correct, "all = train + validation + test")
    }
}
