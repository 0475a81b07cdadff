import Foundation
import Testing
@testable import LensCLI
import LensTestSupport

/// `--out` and `--history-csv` are checked before any data is read: special files, inputs, two outputs
/// with one name and unwritable folders are refused with one line, and nothing is written.
@Suite("Outputs that would destroy something are refused before training")
struct OutputSafetyTests {
    private func trainFailure(_ arguments: [String]) -> String? {
        failureMessage { try parse(TrainCommand.self, ["train", "--size", "8"] + arguments).train() }
    }

    @Test("a FIFO as --out stays a FIFO")
    func fifo() throws {
        let scratch = try ScratchFolder()
        let fifo = scratch.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let message = trainFailure(["--model", "knn", "--data", try scratch.writePatternDataset(), "--out", fifo])
        #expect(message == "--out \(fifo) is a FIFO (named pipe), not a regular file; give a new file name or an existing regular file")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO was replaced")
    }

    @Test("a link to a device node as --out is refused (the device stays a device)")
    func deviceNode() throws {
        let scratch = try ScratchFolder()
        let link = scratch.path("null-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        let message = trainFailure(["--model", "knn", "--data", try scratch.writePatternDataset(), "--out", link])
        #expect(message?.hasPrefix("--out \(link) is a character device") == true, "\(message ?? "no error")")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "/dev/null")
    }

    @Test("an image inside the --data folder as --out is refused and left as it was")
    func imageInsideData() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let image = try #require(try FileManager.default.contentsOfDirectory(atPath: data + "/left").sorted().first)
        let imagePath = data + "/left/" + image
        let before = try Data(contentsOf: URL(fileURLWithPath: imagePath))
        let message = trainFailure(["--model", "knn", "--data", data, "--out", imagePath])
        #expect(message == "--out \(imagePath) is inside the --data folder \(data): writing it would change what is read; write it elsewhere")
        #expect(try Data(contentsOf: URL(fileURLWithPath: imagePath)) == before)

        // The same file reached through a relative path with `..` and a symbolic link to the folder.
        let link = scratch.path("alias")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: data)
        let aliased = link + "/top/../left/new.safetensors"
        #expect(trainFailure(["--model", "knn", "--data", data, "--out", aliased])?.contains("is inside the --data folder") == true)
    }

    @Test("--history-csv naming the --out file, directly or through a link, is refused")
    func historyIsOut() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let out = scratch.path("model.safetensors")
        let message = trainFailure(["--model", "softmax", "--epochs", "1", "--data", data, "--out", out, "--history-csv", out])
        #expect(message == "--history-csv \(out) is the same file as --out \(out); give each output its own name")
        try Data("old".utf8).write(to: URL(fileURLWithPath: out))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.csv"), withDestinationPath: out)
        let linked = trainFailure(["--model", "softmax", "--epochs", "1", "--data", data, "--out", out, "--history-csv", scratch.path("link.csv")])
        #expect(linked?.contains("is the same file as --out") == true, "\(linked ?? "no error")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data("old".utf8))
    }

    @Test("--history-csv inside the --data folder is refused")
    func historyInsideData() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let message = trainFailure(["--model", "mlp", "--hidden", "4", "--epochs", "1", "--data", data,
                                    "--out", scratch.path("m.safetensors"), "--history-csv", data + "/top/history.csv"])
        #expect(message?.hasPrefix("--history-csv \(data)/top/history.csv is inside the --data folder") == true, "\(message ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("m.safetensors")))
    }

    @Test("a read-only --out folder is found before the first epoch, and nothing is written")
    func readOnlyFolder() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let locked = try ReadOnlyFolder(in: scratch, "locked")
        // 200 epochs would take minutes; refusing at once shows the check comes first.
        let started = Date()
        let message = trainFailure(["--model", "mlp", "--hidden", "64", "--epochs", "200", "--data", data,
                                    "--out", locked.path + "/model.safetensors"])
        #expect(message?.hasPrefix("--out \(locked.path)/model.safetensors: cannot write in \(locked.path): ") == true, "\(message ?? "no error")")
        #expect(Date().timeIntervalSince(started) < 5)
        let csvMessage = trainFailure(["--model", "mlp", "--hidden", "64", "--epochs", "200", "--data", data,
                                       "--out", scratch.path("m.safetensors"), "--history-csv", locked.path + "/h.csv"])
        #expect(csvMessage?.hasPrefix("--history-csv \(locked.path)/h.csv: cannot write in") == true, "\(csvMessage ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("m.safetensors")), "a model was written and then the run failed")
    }
}
