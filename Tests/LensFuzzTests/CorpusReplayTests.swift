import Foundation
import LensFuzzTargets
import Testing

/// Every committed fuzz input (the seed corpus and each crasher the fuzzers found) goes through the
/// same entry point the fuzzer drives: it must give a value or a thrown error. A crash, a trap or
/// an allocation failure ends the test process, so it cannot pass unnoticed.
@Suite struct CorpusReplayTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ target: FuzzTarget, in folder: String) throws -> [URL] {
        let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyCommittedInputReturnsOrThrows(target: FuzzTarget) throws {
        let corpus = try Self.inputs(target, in: "Corpus"), crashers = try Self.inputs(target, in: "Crashers")
        #expect(corpus.count >= 3, "Fuzz/Corpus/\(target.rawValue) should hold the seed corpus")
        var values = 0, errors = 0
        for input in corpus + crashers {
            do {
                try target.run(try Data(contentsOf: input))
                values += 1
            } catch {
                errors += 1
            }
        }
        #expect(values + errors == corpus.count + crashers.count)
    }

    @Test func seedsIncludeInputsThatDecode() throws {
        // A corpus of nothing but rejects would exercise only the first checks.
        for target in [FuzzTarget.image, .safetensors, .model, .idx, .http] {
            let decodable = try Self.inputs(target, in: "Corpus").filter { (try? target.run(try Data(contentsOf: $0))) != nil }
            #expect(!decodable.isEmpty, "no input of Fuzz/Corpus/\(target.rawValue) is accepted")
        }
    }
}
