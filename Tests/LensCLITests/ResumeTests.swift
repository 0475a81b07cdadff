import Foundation
import LensModels
import LensTensor
import LensTestSupport
import Testing

/// `lens train --resume` of a file written with `--checkpoint-every` continues the run bit for bit:
/// weights, optimizer moments and shuffling are saved with it.
@Suite("Resuming training exactly")
struct ResumeTests {
    private static let common = ["--size", "16", "--patience", "100", "--seed", "3"]

    private func tensors(_ path: String) throws -> [String: [Float]] {
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        return Dictionary(uniqueKeysWithValues: file.names.map { ($0, file[$0]?.scalars ?? []) })
    }

    @Test("N epochs straight and N/2 + --resume N/2 give identical weights",
          arguments: [["--model", "mlp", "--hidden", "16"],
                      ["--model", "cnn", "--arch", "conv3x3x4,pool,fc16", "--optimizer", "sgd"]])
    func resumedRunMatchesAnUnbrokenOne(model: [String]) throws {
        let scratch = try ScratchFolder()
        func train(_ arguments: [String]) throws -> String {
            let outcome = try LensBinary.run(["train"] + model + Self.common + arguments, in: scratch.url)
            #expect(outcome.status == 0, "\(outcome.stderr.suffix(400))")
            return outcome.stderr
        }
        _ = try train(["--epochs", "4", "--checkpoint-every", "2", "--out", scratch.path("straight.safetensors")])
        _ = try train(["--epochs", "2", "--checkpoint-every", "1", "--out", scratch.path("half.safetensors")])
        let log = try LensBinary.run(["train", "--resume", scratch.path("half.safetensors"), "--epochs", "4",
                                      "--out", scratch.path("resumed.safetensors")], in: scratch.url)
        #expect(log.status == 0, "\(log.stderr.suffix(400))")
        #expect(log.stderr.contains("resuming after epoch 2 of 4 exactly where it stopped"), "\(log.stderr.prefix(400))")

        let straight = try tensors(scratch.path("straight.safetensors"))
        let resumed = try tensors(scratch.path("resumed.safetensors"))
        #expect(straight.keys.contains { $0.hasPrefix("training_state.moment1.") }, "the moments are saved: \(straight.keys.sorted())")
        #expect(Set(straight.keys) == Set(resumed.keys))
        for (name, values) in straight {
            // Bit for bit, not within a tolerance.
            #expect(values.map(\.bitPattern) == resumed[name]?.map(\.bitPattern), "\(name) differs")
        }
        let a = try #require(try ModelFile(contentsOf: URL(fileURLWithPath: scratch.path("straight.safetensors"))).history)
        let b = try #require(try ModelFile(contentsOf: URL(fileURLWithPath: scratch.path("resumed.safetensors"))).history)
        #expect(a.epochs.map(\.trainLoss) == b.epochs.map(\.trainLoss))
        #expect(a.epochs.map(\.validationLoss) == b.epochs.map(\.validationLoss))
        #expect(a.bestEpoch == b.bestEpoch)
    }

    @Test("a file without optimizer state still resumes, and says the moments restart")
    func oldFileResumesWithFreshMoments() throws {
        let scratch = try ScratchFolder()
        let half = scratch.path("half.safetensors")
        let first = try LensBinary.run(["train", "--model", "mlp", "--hidden", "16"] + Self.common
                                       + ["--epochs", "2", "--checkpoint-every", "1", "--out", half], in: scratch.url)
        #expect(first.status == 0, "\(first.stderr.suffix(400))")
        // What an older lens (or a run without --checkpoint-every) wrote: the same model, no state.
        var old = try ModelFile(contentsOf: URL(fileURLWithPath: half))
        #expect(old.trainingState != nil)
        old.trainingState = nil
        try old.write(to: URL(fileURLWithPath: scratch.path("old.safetensors")))
        #expect(try !SafetensorsFile(contentsOf: URL(fileURLWithPath: scratch.path("old.safetensors"))).names.contains { $0.hasPrefix("training_state.") })

        let resumed = try LensBinary.run(["train", "--resume", scratch.path("old.safetensors"), "--epochs", "3",
                                          "--out", scratch.path("resumed.safetensors")], in: scratch.url)
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(400))")
        #expect(resumed.stderr.contains("the file holds no optimizer state"), "\(resumed.stderr.prefix(400))")
        #expect(resumed.stderr.contains("the optimizer's moments and the shuffling restart"), "\(resumed.stderr.prefix(400))")
        let history = try #require(try ModelFile(contentsOf: URL(fileURLWithPath: scratch.path("resumed.safetensors"))).history)
        #expect(history.epochs.map(\.epoch) == [1, 2, 3])
    }
}
