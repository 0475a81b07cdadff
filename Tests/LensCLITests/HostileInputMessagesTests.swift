import Foundation
import LensModels
import LensTensor
import Testing
@testable import LensCLI
import LensTestSupport

/// Issue 16's rows about sizes and messages: a state_dict's --arch is sized before anything is
/// allocated, knobs are checked against the image size, every range error names its flag, and
/// messages are words on one line (no Foundation dumps, no permission words where none apply).
@Suite("Hostile input, round two: sizes and messages")
struct HostileInputMessagesTests {
    /// A state_dict with one small tensor and its class names: enough to reach the --arch check.
    private func stateDict(_ scratch: ScratchFolder) throws -> (model: String, names: String) {
        let model = scratch.path("sd.safetensors")
        try SafetensorsFile(tensors: ["fc.weight": Tensor(shape: [2, 64], scalars: [Float](repeating: 0.1, count: 128)),
                                      "fc.bias": Tensor(shape: [2], scalars: [0, 0])]).write(to: URL(fileURLWithPath: model))
        let names = try scratch.write("names.txt", Data("a\nb\n".utf8))
        return (model, names)
    }

    @Test("a state_dict --arch too big for memory, or too big to count, is refused before allocation", arguments: [
        ("fc100000000", "needs about"), ("fc9223372036854775807", "needs about"), ("conv99999x99999x1", "needs about"), ("res3x3x999999999999", "needs about"),
    ])
    func stateDictArchitecture(_ arch: String, _ words: String) throws {
        let scratch = try ScratchFolder()
        let (model, names) = try stateDict(scratch)
        let message = failureMessage {
            _ = try parse(ExplainCommand.self, ["explain", "--model", model, "--arch", arch, "--class-names", names, "--size", "8",
                                                "--method", "saliency", "--image", model, "--out", scratch.path("maps")]).explain()
        }
        #expect(message?.contains("architecture \"\(arch)\"") == true, "\(message ?? "no error")")
        #expect(message?.contains(words) == true, "\(message ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("maps")))
    }

    @Test("an architecture declaring far more weights than the state_dict holds is refused before allocation")
    func stateDictTooFewWeights() throws {
        let scratch = try ScratchFolder()
        let (model, names) = try stateDict(scratch)
        let message = failureMessage {
            _ = try parse(ExplainCommand.self, ["explain", "--model", model, "--arch", "fc30000", "--class-names", names, "--size", "8",
                                                "--method", "saliency", "--image", model, "--out", scratch.path("maps")]).explain()
        }
        #expect(message?.contains("has 2.0 million parameters but the file holds 130 weights") == true, "\(message ?? "no error")")
    }

    @Test("--augment-shift beyond half the image side is refused with the range, before the data is read")
    func augmentShift() throws {
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "cnn", "--size", "8", "--augment-shift", "10",
                                          "--data", "/nonexistent-folder-\(UUID().uuidString)", "--out", "/tmp/never.safetensors"]).train()
        }
        #expect(message == "--augment-shift 10: shift must be between 0 and 4 pixels for 8x8 images (half their side)")
        for shift in ["100000", "-1"] {
            let refused = parseFailure(["train", "--model", "cnn", "--augment-shift", shift, "--out", "/tmp/never.safetensors"])
            #expect(refused?.hasPrefix("--augment-shift \(shift): shift must be between 0 and") == true, "\(refused ?? "accepted")")
        }
    }

    @Test("explain's range errors name the flag, found at parse time or once the images are known", arguments: [
        (["--method", "sanity", "--samples", "0"], "--samples 0: test images must be between 2 and"),
        (["--method", "nearest", "--k", "0", "--split", "test"], "--k 0: neighbours must be between 1 and"),
        (["--method", "nearest", "--k", "100", "--split", "test"], "--k 100: neighbours must be between 1 and 6, the number of training images"),
        (["--method", "occlusion", "--window", "0", "--split", "test"], "--window 0: occlusion window must be between 1 and"),
        (["--method", "occlusion", "--window", "20", "--split", "test"], "--window 20: occlusion window must be between 1 and 8 (the images are 8x8)"),
    ])
    func rangeErrorsNameTheFlag(_ arguments: [String], _ expected: String) throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset(pngsPerClass: 3)
        let model = scratch.path("m.safetensors")
        try parse(TrainCommand.self, ["train", "--model", "softmax", "--size", "8", "--epochs", "1", "--data", data, "--out", model]).train()
        let message = failureMessage {
            _ = try parse(ExplainCommand.self, ["explain", "--model", model, "--out", scratch.path("out")] + arguments).explain()
        }
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "no error")")
    }

    @Test("a FIFO or a device as --data is named as such, not as a permission problem", arguments: ["fifo", "/dev/zero"])
    func specialFileAsData(_ which: String) throws {
        let scratch = try ScratchFolder()
        var data = which
        if which == "fifo" {
            data = scratch.path("pipe")
            #expect(mkfifo(data, 0o600) == 0)
        }
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "knn", "--data", data, "--out", scratch.path("m.safetensors")]).train()
        }
        let kind = which == "fifo" ? "a FIFO (named pipe)" : "a character device"
        #expect(message?.contains("\(kind), not a folder") == true, "\(message ?? "no error")")
        #expect(message?.lowercased().contains("permission") == false, "\(message ?? "no error")")
    }

    @Test("newlines in file and class names are escaped in one-line messages")
    func namesWithNewlines() throws {
        let scratch = try ScratchFolder()
        let weird = scratch.path("two\nlines") + "/model.safetensors"
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "knn", "--size", "8", "--data", try scratch.writePatternDataset(), "--out", weird]).train()
        }
        #expect(message?.contains("two\\nlines") == true, "\(message ?? "no error")")
        #expect(message?.contains("\n") == false, "\(message ?? "no error")")

        // A class folder whose name holds a newline, with an unreadable image, under --strict.
        let data = try scratch.writePatternDataset("classes")
        try scratch.write("classes/bad\nclass/broken.png", Data("not a png".utf8))
        try scratch.write("classes/bad\nclass/good.png", try Pattern.left.png(width: 12, height: 12, channels: 1))
        let strict = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "knn", "--size", "8", "--strict", "--data", data, "--out", scratch.path("m.safetensors")]).train()
        }
        #expect(strict?.contains("bad\\nclass") == true, "\(strict ?? "no error")")
        #expect(strict?.contains("\n") == false, "\(strict ?? "no error")")
    }

    @Test("a model whose history entry does not decode says where and why, not the entry's text")
    func badHistoryEntry() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset(pngsPerClass: 3)
        let model = scratch.path("m.safetensors")
        try parse(TrainCommand.self, ["train", "--model", "softmax", "--size", "8", "--epochs", "1", "--data", data, "--out", model]).train()
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: model))
        let stored = try #require(file.metadata["history"])
        var history = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
        var epochs = try #require(history["epochs"] as? [[String: Any]])
        epochs[0]["trainLoss"] = "low"
        history["epochs"] = epochs
        file.metadata["history"] = String(decoding: try JSONSerialization.data(withJSONObject: history), as: UTF8.self)
        try file.write(to: URL(fileURLWithPath: model))
        let message = failureMessage { _ = try ModelFile.load(model, flag: "--model") }
        #expect(message?.contains("metadata \"history\" is not valid: epochs[0].trainLoss is not a number") == true, "\(message ?? "no error")")
        #expect(message?.contains("{") == false, "\(message ?? "no error")")
    }

    @Test("a report folder that cannot be made is refused at once, in words, naming the flag")
    func reportUnderAFile() throws {
        let scratch = try ScratchFolder()
        let file = try scratch.write("file.txt", Data("text".utf8))
        let message = failureMessage {
            try parse(ReportCommand.self, ["report", "--model", scratch.path("missing.safetensors"), "--out", file + "/sub"]).run()
        }
        #expect(message == "--out \(file)/sub: cannot make the folder, because \(file) is a file, not a folder")
    }
}
