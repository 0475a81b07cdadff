import Foundation
import LensModels
import LensTensor
import LensTestSupport
import Testing

/// Stops and failed writes, through the `lens` executable: nothing the user had is lost, nothing
/// half-written or temporary is left behind, and the exit code says what happened.
@Suite("Interrupts, checkpoints, full disks and concurrent writers")
struct InterruptTests {
    /// Training that runs until stopped (small images, no early stopping).
    private let endless = ["train", "--model", "mlp", "--hidden", "32", "--size", "16", "--epochs", "100000", "--patience", "100000"]

    /// Waits until `run` has printed `epochs` epoch lines on stderr (off a TTY, one per finished epoch).
    private func waitForEpochs(_ run: LensBinary.Running, _ epochs: Int, within seconds: Double = 300) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && run.process.isRunning {
            if run.stderrSoFar.components(separatedBy: "\n").filter({ $0.hasPrefix("epoch ") }).count >= epochs { return }
            usleep(50_000)
        }
        Issue.record("no \(epochs) epochs within \(seconds) s: \(run.stderrSoFar.suffix(300))")
    }

    private func leftovers(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }
    }

    @Test("SIGINT and SIGTERM stop training after a batch with a line, 130/143, and the old --out untouched",
          arguments: [(SIGINT, Int32(130), "interrupted (SIGINT)"), (SIGTERM, Int32(143), "terminated (SIGTERM)")])
    func signalDuringTraining(signal: Int32, code: Int32, word: String) throws {
        let scratch = try ScratchFolder()
        let out = try scratch.write("models/model.safetensors", oldModel)
        let run = try LensBinary.Running(endless + ["--out", out], in: scratch.url)
        waitForEpochs(run, 2)
        run.signal(signal)
        let outcome = run.finish(within: 120)
        #expect(!outcome.killedBySignal && outcome.status == code, "status \(outcome.status): \(outcome.stderr.suffix(300))")
        let last = outcome.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("lens: training \(word) in epoch "), "\(last)")
        #expect(last.hasSuffix("\(out) left as it was"), "\(last)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == oldModel)
        let left = try leftovers(scratch.path("models"))
        #expect(left.isEmpty, "temporary files left: \(left)")
    }

    @Test("SIGINT in another long command (the demo) exits 130 with a line and writes no report")
    func signalInDemo() throws {
        let scratch = try ScratchFolder()
        let run = try LensBinary.Running(["demo", "--out", scratch.path("report")], in: scratch.url)
        usleep(2_000_000)
        run.signal(SIGINT)
        let outcome = run.finish(within: 120)
        #expect(outcome.status == 130 && !outcome.killedBySignal, "status \(outcome.status) \(outcome.stderr.suffix(300))")
        #expect(outcome.stderr.hasSuffix("lens: interrupted (SIGINT), stopped\n"), "\(outcome.stderr.suffix(300))")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("report/index.html")))
    }

    @Test("--checkpoint-every 1 keeps a loadable best model; --resume continues it with the same history")
    func checkpointAndResume() throws {
        let scratch = try ScratchFolder()
        let out = scratch.path("model.safetensors")
        let run = try LensBinary.Running(endless + ["--out", out, "--checkpoint-every", "1"], in: scratch.url)
        waitForEpochs(run, 3)
        run.signal(SIGINT)
        let outcome = run.finish(within: 120)
        #expect(outcome.status == 130, "\(outcome.stderr.suffix(300))")
        #expect(outcome.stderr.contains("holds the checkpoint after epoch"), "\(outcome.stderr.suffix(300))")
        let checkpoint = try ModelFile(contentsOf: URL(fileURLWithPath: out))
        let saved = try #require(checkpoint.history)
        #expect(saved.epochs.count >= 2)
        #expect(saved.epochs.map(\.epoch) == Array(1...saved.epochs.count))
        #expect(try leftovers(scratch.url.path).isEmpty)

        let target = saved.epochs.count + 2
        let resumed = try LensBinary.run(["train", "--resume", out, "--out", scratch.path("resumed.safetensors"),
                                          "--epochs", String(target)], in: scratch.url)
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(300))")
        #expect(resumed.stderr.contains("resuming after epoch \(saved.epochs.count) of \(target)"), "\(resumed.stderr.prefix(300))")
        let final = try ModelFile(contentsOf: URL(fileURLWithPath: scratch.path("resumed.safetensors")))
        let history = try #require(final.history)
        #expect(history.epochs.map(\.epoch) == Array(1...target))
        #expect(Array(history.epochs.prefix(saved.epochs.count)) == saved.epochs, "the checkpoint's epochs are kept as they were")
        #expect(final.provenance.split == checkpoint.provenance.split && final.provenance.dataset == checkpoint.provenance.dataset)
        // Continuing from the checkpoint, not from scratch: training accuracy stays where it was.
        let before = saved.epochs.last?.trainAccuracy ?? 0, after = history.epochs[saved.epochs.count].trainAccuracy
        #expect(after >= before - 0.2, "first resumed epoch \(after) vs last saved \(before)")
    }

    @Test("a full disk: one line, non-zero exit, the old model intact, no temporary file",
          .enabled(if: SmallDisk.available, "mounting a small tmpfs needs root"))
    func fullDisk() throws {
        let scratch = try ScratchFolder()
        let disk = try SmallDisk(in: scratch, "disk", kilobytes: 256)
        let out = disk.path + "/model.safetensors"
        try oldModel.write(to: URL(fileURLWithPath: out))
        // A 1-NN model of ORL holds 240 images of 64x64 floats: 3.9 MB, far beyond 256 kB.
        let outcome = try LensBinary.run(["train", "--model", "knn", "--out", out], in: scratch.url)
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n").filter { !$0.hasPrefix("orl:") }
        #expect(lines == ["Error: cannot write \(out): No space left on device"], "\(outcome.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == oldModel)
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path) == ["model.safetensors"])
    }

    @Test("a read-only folder holding the old model: one line, non-zero exit, the old model intact")
    func readOnlyFolder() throws {
        let scratch = try ScratchFolder()
        let folder = try ReadOnlyFolder(in: scratch, "locked")
        let out = folder.path + "/model.safetensors"
        try folder.withWritable { try oldModel.write(to: URL(fileURLWithPath: out)) }
        let outcome = try LensBinary.run(["train", "--model", "knn", "--out", out], in: scratch.url)
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("Error: --out \(out): cannot write in \(folder.path): ") == true, "\(outcome.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == oldModel)
    }

    @Test("two runs writing one --out at once leave one complete, loadable model and no temporary files")
    func concurrentWriters() throws {
        let scratch = try ScratchFolder()
        let out = scratch.path("shared.safetensors")
        let runs = try ["euclidean", "cosine"].map { metric in
            try LensBinary.Running(["train", "--model", "knn", "--metric", metric, "--out", out], in: scratch.url)
        }
        let outcomes = runs.map { $0.finish() }
        #expect(outcomes.allSatisfy { $0.status == 0 }, "\(outcomes.map(\.stderr))")
        let model = try ModelFile(contentsOf: URL(fileURLWithPath: out))
        guard case .nearestNeighbor(let classifier) = model.model else {
            Issue.record("not a k-NN model")
            return
        }
        #expect([DistanceMetric.euclidean, .cosine].contains(classifier.metric))
        #expect(classifier.labels.count == 240)
        let contents = try scratch.contents()
        #expect(contents == ["shared.safetensors"], "\(contents)")
    }
}

/// Bytes that read as an earlier lens model (the format's header, no weights): what a run may
/// replace without --force, and must leave as it was when it stops or fails.
let oldModel = SafetensorsFile(metadata: ["format": ModelFile.formatName, "note": "the user's old model"]).serialized()
