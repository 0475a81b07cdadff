import Foundation
import LensModels
import LensStudio
import Testing
@testable import LensCLI
import LensTestSupport

/// Issue 16's table, the rows about writing files: every command and route that writes runs
/// against every case, and each case is refused before any work, in one line naming the flag,
/// with the path left as it was. `--force` overrides only the "not what this command writes" rule.
@Suite("Every writer refuses every unsafe output before any work")
struct OutputRulesTests {
    /// The files every case reads or damages: tiny data, a network model trained on it, an image.
    final class Setting {
        let scratch: ScratchFolder
        let data: String
        let model: String
        let image: String
        /// A one-row fetch list whose photo is in the folder `originals`.
        let list: String

        init() throws {
            scratch = try ScratchFolder()
            data = try scratch.writePatternDataset(pngsPerClass: 3)
            model = scratch.path("net.safetensors")
            try parse(TrainCommand.self, ["train", "--model", "softmax", "--size", "8", "--epochs", "1", "--data", data, "--out", model]).train()
            image = try scratch.write("photo.png", try Pattern.left.png(width: 12, height: 12, channels: 1))
            try scratch.write("originals/left/1.png", try Pattern.left.png(width: 12, height: 12, channels: 1))
            list = try scratch.write("list.csv", Data("url,label\nhttp://127.0.0.1:9/1.png,left\n".utf8))
        }
    }

    /// One command that writes, run with `out` as the output it is tested on.
    struct Writer: CustomTestStringConvertible, Sendable {
        var name: String
        var flag: String
        var kind: OutputTarget.Kind
        /// The command's own input file, when it has one this output may not be (`--model`, `--resume`).
        var readsFile: Bool
        var run: @Sendable (_ out: String, _ setting: Setting, _ extra: [String]) throws -> Void
        var testDescription: String { name }

        func failure(_ out: String, _ setting: Setting, _ extra: [String] = []) -> String? {
            failureMessage { try run(out, setting, extra) }
        }
    }

    static let writers: [Writer] = [
        Writer(name: "train --out", flag: "--out", kind: .model, readsFile: false) { out, s, extra in
            try parse(TrainCommand.self, ["train", "--model", "knn", "--size", "8", "--data", s.data, "--out", out] + extra).train()
        },
        Writer(name: "train --history-csv", flag: "--history-csv", kind: .historyCSV, readsFile: true) { out, s, extra in
            let model = s.scratch.path("with-history.safetensors")
            try parse(TrainCommand.self, ["train", "--resume", s.model, "--epochs", "2", "--out", model, "--history-csv", out] + extra).train()
        },
        Writer(name: "report --out", flag: "--out", kind: .reportFolder, readsFile: true) { out, s, extra in
            try parse(ReportCommand.self, ["report", "--model", s.model, "--quick", "--out", out] + extra).run()
        },
        Writer(name: "report --single-file --out", flag: "--out", kind: .reportFile, readsFile: true) { out, s, extra in
            try parse(ReportCommand.self, ["report", "--model", s.model, "--quick", "--single-file", "--out", out] + extra).run()
        },
        Writer(name: "explain --out", flag: "--out", kind: .reportFolder, readsFile: true) { out, s, extra in
            _ = try parse(ExplainCommand.self, ["explain", "--model", s.model, "--method", "saliency", "--image", s.image, "--out", out] + extra).explain()
        },
        Writer(name: "demo --out", flag: "--out", kind: .reportFolder, readsFile: false) { out, s, extra in
            try parse(DemoCommand.self, ["demo", "--quick", "--size", "8", "--data", s.data, "--out", out] + extra).run()
        },
        Writer(name: "serve --models-dir", flag: "--models-dir", kind: .modelsFolder, readsFile: true) { out, s, extra in
            try parse(ServeCommand.self, ["serve", "--model", s.model, "--data", s.data, "--models-dir", out] + extra).checkOutputs()
        },
        // Its list names one photo that --from holds, so a run that is not refused fetches nothing from the web.
        Writer(name: "dataset fetch --out", flag: "--out", kind: .datasetFolder, readsFile: false) { out, s, extra in
            let originals = s.scratch.path("originals")
            try parse(DatasetFetchCommand.self, ["dataset", "fetch", "--list", s.list, "--from", originals, "--size", "8", "--out", out] + extra).run()
        },
    ]

    /// What a case expects of a writer: refused with a message holding these words, or not
    /// applicable (said why).
    enum Expectation {
        case refused(String)
        case notApplicable(String)
    }

    /// One row of the table: the path it gives, what it expects, and a check that the path is as it was.
    struct Case: Sendable {
        var name: String
        var arrange: @Sendable (Setting, Writer) throws -> (out: String, extra: [String], unchanged: @Sendable () throws -> Bool)
        var expect: @Sendable (Writer, String) -> Expectation
        /// Whether --force must not change the refusal (it overrides only "not what the command writes").
        var forceStillRefused = true
    }

    static func snapshot(_ path: String) -> @Sendable () throws -> Bool {
        let before = Self.fingerprint(path)
        return { Self.fingerprint(path) == before }
    }

    /// Kind, size and contents of a file; names of a folder (recursively); for a missing path, nil.
    static func fingerprint(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "file \(info.st_size) \((try? Data(contentsOf: URL(fileURLWithPath: path))).map { $0.hashValue } ?? 0)"
        case S_IFDIR: return "folder " + ((FileManager.default.subpaths(atPath: path) ?? []).sorted().joined(separator: ","))
        default: return "special \(info.st_mode & S_IFMT) \(info.st_rdev)"
        }
    }

    static let cases: [Case] = [
        Case(name: "/dev/null (run as root, the node would be replaced)", arrange: { _, _ in ("/dev/null", [], snapshot("/dev/null")) },
             expect: { _, _ in .refused("is a character device") }),
        Case(name: "a FIFO", arrange: { s, _ in
            let fifo = s.scratch.path("fifo-\(UUID().uuidString)")
            guard mkfifo(fifo, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
            return (fifo, [], snapshot(fifo))
        }, expect: { _, _ in .refused("is a FIFO (named pipe)") }),
        Case(name: "the command's own input model (report --single-file --out m; --resume r --history-csv r)", arrange: { s, _ in
            (s.model, [], snapshot(s.model))
        }, expect: { writer, _ in
            switch writer.kind {
            case _ where !writer.readsFile: .notApplicable("reads no model file (train --out over --resume continues a checkpoint in place)")
            case .reportFolder, .modelsFolder, .datasetFolder: .refused("is a file, not a folder")
            case .historyCSV: .refused("is the --resume file")
            default: .refused("is the --model file")
            }
        }),
        Case(name: "inside a class folder of the data, --data given", arrange: { s, writer in
            let out = s.data + "/left/" + (writer.kind == .reportFolder || writer.kind == .modelsFolder ? "maps" : "new-output")
            return (out, writer.name.hasPrefix("report") || writer.name.hasPrefix("explain") ? ["--data", s.data] : [], snapshot(s.data))
        }, expect: { writer, _ in
            writer.kind == .datasetFolder ? .notApplicable("reads no dataset; its inputs are --list and --from") : .refused("is inside the --data folder")
        }),
        Case(name: "inside the folder of original photos (dataset fetch --from)", arrange: { s, _ in
            (s.scratch.path("originals/left/faces"), [], snapshot(s.scratch.path("originals")))
        }, expect: { writer, _ in
            writer.kind == .datasetFolder ? .refused("is inside the --from folder") : .notApplicable("has no --from")
        }),
        Case(name: "inside a class folder of the model's own data (no --data)", arrange: { s, writer in
            (s.data + "/left/" + (writer.kind.isFolderKind ? "maps" : "new-output"), [], snapshot(s.data))
        }, expect: { writer, _ in
            switch writer.name {
            case "report --out", "report --single-file --out", "explain --out": .refused("is inside the model's training data folder")
            case "train --history-csv": .refused("is inside the --data folder")  // the resumed model's data
            default: .notApplicable("always given --data here")
            }
        }),
        Case(name: "the data folder itself (report --out <the data folder>)", arrange: { s, _ in (s.data, [], snapshot(s.data)) },
             expect: { writer, _ in
            switch writer.name {
            case "report --out", "explain --out": .refused("is the model's training data folder")
            case "demo --out", "serve --models-dir": .refused("is the --data folder")
            case "dataset fetch --out": .notApplicable("reads no data folder; a folder of other files is the last case")
            default: .refused("is a folder; give a file name")
            }
        }),
        Case(name: "an existing model (train --history-csv m)", arrange: { s, _ in
            let other = s.scratch.path("other-\(UUID().uuidString).safetensors")
            try FileManager.default.copyItem(atPath: s.model, toPath: other)
            return (other, [], snapshot(other))
        }, expect: { writer, _ in
            switch writer.kind {
            case .model: .notApplicable("a model replaces a model")
            case .reportFolder, .modelsFolder, .datasetFolder: .refused("is a file, not a folder")
            case .historyCSV: .refused("exists and is not a training history CSV")
            case .reportFile: .refused("exists and is not a NeuralLens report")
            }
        }, forceStillRefused: false),
        Case(name: "an existing notes.txt", arrange: { s, _ in
            let notes = try s.scratch.write("notes-\(UUID().uuidString).txt", Data("my notes\n".utf8))
            return (notes, [], snapshot(notes))
        }, expect: { writer, _ in
            writer.kind.isFolderKind ? .refused("is a file, not a folder") : .refused("exists and is not a")
        }, forceStillRefused: false),
        Case(name: "an existing photo.png", arrange: { s, _ in (s.image, [], snapshot(s.image)) }, expect: { writer, _ in
            writer.kind.isFolderKind ? .refused("is a file, not a folder")
                : writer.name == "explain --out" ? .refused("is the --image file") : .refused("exists and is not a")
        }, forceStillRefused: false),
        Case(name: "an empty name (--out \"\", --history-csv '')", arrange: { s, _ in ("", [], snapshot(s.scratch.url.path)) },
             expect: { _, _ in .refused("is empty") }),
        Case(name: "a file name ending in / (--out newdir/)", arrange: { s, _ in
            let out = s.scratch.path("newdir-\(UUID().uuidString)") + "/"
            return (out, [], snapshot(String(out.dropLast())))
        }, expect: { writer, _ in
            writer.kind.isFolderKind ? .notApplicable("a folder name may end in /") : .refused("ends with /, so it names a folder")
        }),
        Case(name: "a folder under an existing file (--out file.txt/sub)", arrange: { s, _ in
            let file = try s.scratch.write("file-\(UUID().uuidString).txt", Data("text".utf8))
            return (file + "/sub", [], snapshot(file))
        }, expect: { writer, _ in
            writer.kind.isFolderKind ? .refused("cannot make the folder, because") : .refused("is a file, not a folder")
        }),
        Case(name: "a folder of someone else's files", arrange: { s, _ in
            let folder = try s.scratch.makeFolder("mine-\(UUID().uuidString)")
            try s.scratch.write(String(folder.dropFirst(s.scratch.url.path.count + 1)) + "/index.html", Data("<p>my page</p>".utf8))
            return (folder, [], snapshot(folder))
        }, expect: { writer, _ in
            switch writer.kind {
            case .reportFolder: .refused("holds an index.html that lens did not write")
            case .datasetFolder: .refused("holds 1 file and no manifest.csv")
            case .modelsFolder: .notApplicable("models are added to any folder under new names")
            default: .refused("is a folder; give a file name")
            }
        }, forceStillRefused: false),
    ]

    @Test("each case, against each writer, is refused before the work, in one line naming the flag, and changes nothing",
          arguments: Array(0..<cases.count))
    func refused(_ caseIndex: Int) throws {
        let row = Self.cases[caseIndex]
        let setting = try Setting()
        for writer in Self.writers {
            for force in [false, true] {
                guard case .refused(let words) = row.expect(writer, writer.flag) else { continue }
                if force && !row.forceStillRefused { continue }
                let (out, extra, unchanged) = try row.arrange(setting, writer)
                let started = Date()
                let message = writer.failure(out, setting, extra + (force ? ["--force"] : []).filter { _ in writer.kind != .modelsFolder })
                let context = "\(writer.name)\(force ? " --force" : ""), \(row.name): \(message ?? "no error")"
                #expect(message?.contains(words) == true, "\(context)")
                #expect(message?.hasPrefix(writer.flag + (out.isEmpty ? " is empty" : " " + out)) == true, "\(context)")
                #expect(message?.contains("\n") == false && message?.contains("NSCocoaErrorDomain") == false, "\(context)")
                #expect(try unchanged(), "\(context): the path changed")
                #expect(Date().timeIntervalSince(started) < 10, "\(context): refused only after the work")
            }
        }
    }

    @Test("--force replaces a file that is not a model, and a report single file over notes; nothing else changes")
    func forceOverrides() throws {
        let setting = try Setting()
        let notes = try setting.scratch.write("notes.txt", Data("my notes\n".utf8))
        #expect(Self.writers[0].failure(notes, setting)?.contains("exists and is not a NeuralLens model") == true)
        #expect(Self.writers[0].failure(notes, setting, ["--force"]) == nil)
        #expect(ModelFile.recognizes(fileAt: URL(fileURLWithPath: notes)), "--force did not write the model over notes.txt")
        // Written once, a model is replaced by the next run without --force.
        #expect(Self.writers[0].failure(notes, setting) == nil)
    }
}

extension OutputTarget.Kind {
    var isFolderKind: Bool { self == .reportFolder || self == .modelsFolder || self == .datasetFolder }
}
