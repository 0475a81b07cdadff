import Foundation
import Testing
@testable import LensCLI
import LensModels
import LensTestSupport

/// Bad data and options found once training starts: each message names the path or value and the problem,
/// and no model file is written.
@Suite("Bad training input fails with a clear message and writes nothing")
struct BadTrainingInputTests {
    /// Parses and trains `arguments` (writing to `scratch/model.safetensors`), returning the error message.
    private func trainingFailure(_ scratch: ScratchFolder, _ arguments: [String]) -> String? {
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--out", scratch.path("model.safetensors")] + arguments).train()
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("model.safetensors")), "a failed training wrote a model")
        return message
    }

    @Test("nonexistent --data path")
    func missingData() throws {
        let scratch = try ScratchFolder()
        let missing = scratch.path("no-such-photos")
        let message = trainingFailure(scratch, ["--model", "knn", "--data", missing])
        #expect(message == "\(missing): no such file or folder")
    }

    @Test("a folder with fewer than two classes")
    func oneClass() throws {
        let scratch = try ScratchFolder()
        try scratch.write("one/cats/a.png", try Pattern.top.png(width: 8, height: 8, channels: 1))
        let message = trainingFailure(scratch, ["--model", "knn", "--data", scratch.path("one")])
        #expect(message?.contains(scratch.path("one")) == true)
        #expect(message?.contains("at least two class subfolders") == true)
        #expect(message?.contains("found 1: cats") == true)
    }

    @Test("an empty class folder")
    func emptyClass() throws {
        let scratch = try ScratchFolder()
        try scratch.write("data/cats/a.png", try Pattern.top.png(width: 8, height: 8, channels: 1))
        try scratch.makeFolder("data/dogs")
        let message = trainingFailure(scratch, ["--model", "knn", "--data", scratch.path("data")])
        #expect(message?.contains("dogs contains no PNG, JPEG or PGM files") == true, "\(message ?? "no error")")
    }

    @Test("--strict with an unreadable file names the file; without it the file is skipped")
    func strictUnreadable() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let broken = try scratch.write("patterns/left/broken.png", Data("not a picture".utf8))
        let message = trainingFailure(scratch, ["--model", "knn", "--strict", "--data", data])
        #expect(message?.contains("strict") == true)
        #expect(message?.contains(broken) == true, "\(message ?? "no error") should name \(broken)")
        #expect(message?.contains("not a PNG, JPEG or PGM image") == true)

        let (_, summary) = try parse(TrainCommand.self, ["train", "--model", "knn", "--data", data,
                                                         "--out", scratch.path("lenient.safetensors")]).train()
        #expect(summary.train + summary.validation + summary.test == 30, "the broken file is skipped, the rest used")
    }

    @Test("--k larger than the training set is refused at train time, naming the limit")
    func kBeyondTrainingSet() throws {
        let scratch = try ScratchFolder()
        let message = trainingFailure(scratch, ["--model", "knn", "--k", "50", "--data", try scratch.writePatternDataset()])
        #expect(message?.contains("--k 50") == true)
        #expect(message?.contains("(18)") == true, "6 of 10 images per class train: \(message ?? "no error")")
    }

    @Test("an --arch that does not parse names the item")
    func architectureDoesNotParse() throws {
        let scratch = try ScratchFolder()
        let message = trainingFailure(scratch, ["--model", "cnn", "--arch", "conv3x3x4,banana,fc16", "--size", "16", "--epochs", "1",
                                                "--data", try scratch.writePatternDataset()])
        #expect(message?.contains("--arch") == true, "\(message ?? "no error")")
        #expect(message?.contains("\"banana\"") == true, "\(message ?? "no error")")

        let beforeData = trainingFailure(scratch, ["--model", "cnn", "--arch", "conv3x3x4,banana", "--data", scratch.path("missing")])
        #expect(beforeData?.contains("--arch") == true, "the architecture is checked before any data is read: \(beforeData ?? "no error")")
    }

    @Test("an --arch that does not fit the input size names the layer and its input")
    func architectureDoesNotFit() throws {
        let scratch = try ScratchFolder()
        let message = trainingFailure(scratch, ["--model", "cnn", "--arch", "pool,pool,pool,pool,pool", "--size", "16", "--epochs", "1",
                                                "--data", try scratch.writePatternDataset()])
        #expect(message?.contains("--arch") == true, "\(message ?? "no error")")
        #expect(message?.contains("item 5") == true, "16 → 8 → 4 → 2 → 1: the fifth pool has nothing left: \(message ?? "no error")")
        #expect(message?.contains("[1, 1, 1]") == true, "\(message ?? "no error")")
    }

    @Test("--arch with knn")
    func architectureWithNearestNeighbor() {
        let message = parseFailure(["train", "--model", "knn", "--arch", "fc16", "--out", "/tmp/x.safetensors"])
        #expect(message?.contains("--arch") == true && message?.contains("knn") == true, "\(message ?? "no error")")
    }

    @Test("--out that is an existing directory")
    func outputIsDirectory() throws {
        let scratch = try ScratchFolder()
        let folder = try scratch.makeFolder("models")
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "knn", "--data", "orl", "--out", folder]).train()
        }
        #expect(message?.contains("--out \(folder) is a folder; give a file name") == true, "\(message ?? "no error")")
        #expect(try scratch.contents("models").isEmpty)
    }

    @Test("--out in a nonexistent directory")
    func outputDirectoryMissing() throws {
        let scratch = try ScratchFolder()
        let out = scratch.path("nowhere/model.safetensors")
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "knn", "--data", "orl", "--out", out]).train()
        }
        #expect(message?.contains(out) == true, "\(message ?? "no error")")
        #expect(message?.contains("\(scratch.path("nowhere")) does not exist") == true, "\(message ?? "no error")")
    }

    @Test("a network too big for memory is refused before any data is read, with the estimate",
          arguments: [["--model", "cnn", "--arch", "fc100000000"],
                      ["--model", "cnn", "--arch", "conv3x3x100000000"]])
    func networkTooBig(arguments: [String]) throws {
        let scratch = try ScratchFolder()
        let started = Date()
        let message = trainingFailure(scratch, arguments + ["--data", scratch.path("not-read")])
        #expect(message?.hasPrefix("\(arguments[2]) \(arguments[3]): this network needs about") == true, "\(message ?? "no error")")
        #expect(message?.contains("this machine allows") == true, "\(message ?? "no error")")
        #expect(Date().timeIntervalSince(started) < 5, "refused at once, not after allocating")
    }

    @Test("--hidden beyond its range is refused with the range, before any data is read")
    func hiddenBeyondItsRange() throws {
        let scratch = try ScratchFolder()
        let message = trainingFailure(scratch, ["--model", "mlp", "--hidden", "100000000", "--data", scratch.path("not-read")])
        let range = TrainingKnobs.hiddenUnits.range
        #expect(message == "--hidden 100000000: hidden units must be between \(range.lowerBound) and \(range.upperBound)", "\(message ?? "no error")")
    }
}
