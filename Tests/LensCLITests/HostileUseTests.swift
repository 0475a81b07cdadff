import Foundation
import LensModels
import LensTestSupport
import Testing
@testable import LensCLI

/// What a new user runs into: folders given for files, odd folder layouts, a folder named like a
/// built-in dataset, one bad image among many, a full stdout, data moved between training and evaluation.
@Suite("Odd folders, moved data and partial failures are told plainly")
struct HostileUseTests {
    private func knnModel(_ scratch: ScratchFolder, data: String) throws -> String {
        let path = scratch.path("model.safetensors")
        try parse(TrainCommand.self, ["train", "--model", "knn", "--data", data, "--out", path]).train()
        return path
    }

    @Test("--model naming a folder says so, for evaluate and predict")
    func modelIsAFolder() throws {
        let scratch = try ScratchFolder()
        _ = try knnModel(scratch, data: try scratch.writePatternDataset())
        let image = try scratch.write("probe.png", try Pattern.top.png(width: 8, height: 8, channels: 1))
        let expected = "--model \(scratch.url.path) is a folder; give a model file (.safetensors) written by lens train; for example \(scratch.path("model.safetensors"))"
        #expect(failureMessage { _ = try parse(EvaluateCommand.self, ["evaluate", "--model", scratch.url.path]).evaluate() } == expected)
        #expect(failureMessage { _ = try parse(PredictCommand.self, ["predict", "--model", scratch.url.path, image]).predict() } == expected)
    }

    @Test("evaluate has the --strict its skip note suggests")
    func evaluateStrict() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let model = try knnModel(scratch, data: data)
        let broken = try scratch.write("patterns/top/broken.png", Data("not a picture".utf8))
        let lenient = try parse(EvaluateCommand.self, ["evaluate", "--model", model, "--split", "all"]).evaluate()
        #expect(lenient.n == 30)
        let message = failureMessage { _ = try parse(EvaluateCommand.self, ["evaluate", "--model", model, "--strict"]).evaluate() }
        #expect(message?.contains(broken) == true && message?.contains("strict") == true, "\(message ?? "no error")")
    }

    @Test("an --arch with convolutions for --model mlp is refused before any data is read")
    func mlpWithConvolutions() throws {
        let scratch = try ScratchFolder()
        let message = failureMessage {
            try parse(TrainCommand.self, ["train", "--model", "mlp", "--arch", "conv3x3x4,pool,fc16", "--data", scratch.path("none"),
                                          "--out", scratch.path("m.safetensors")]).train()
        }
        #expect(message == "--arch conv3x3x4,pool,fc16 is not an MLP (fully connected layers only): use --model cnn for convolutions and pooling")
    }

    @Test("images in a folder inside a class folder are reported, not silently left out")
    func nestedSubfolder() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        try scratch.write("patterns/left/more/extra.png", try Pattern.left.png(width: 8, height: 8, channels: 1))
        let run = try LensBinary.run(["dataset", "info", data, "--json"], in: scratch.url)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let skipped = json["skipped"] as? [[String: String]] ?? []
        let nested = skipped.first { $0["path"] == data + "/left/more" }
        #expect(nested?["reason"]?.contains("is a folder inside class folder left") == true, "\(skipped)")
        #expect(json["images"] as? Int == 30, "the nested image is not counted")
    }

    @Test("a folder named orl in the working directory wins over the built-in set, and the output says so")
    func folderNamedLikeBuiltIn() throws {
        let scratch = try ScratchFolder()
        _ = try scratch.writePatternDataset("orl")
        let info = try LensBinary.run(["dataset", "info", "orl"], in: scratch.url)
        #expect(info.stdout.hasPrefix("\(scratch.path("orl")): 30 images, 3 classes"), "\(info.stdout)")
        let train = try LensBinary.run(["train", "--model", "knn", "--data", "orl", "--out", "m.safetensors"], in: scratch.url)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("orl: using the folder \(scratch.path("orl")), not the built-in dataset of that name"), "\(train.stderr)")
        let model = try ModelFile(contentsOf: URL(fileURLWithPath: scratch.path("m.safetensors")))
        #expect(model.provenance.dataset == scratch.path("orl"))
        #expect(model.provenance.classNames == ["centre", "left", "top"])
    }

    @Test("one unreadable image among several: the others are printed, the bad one named, exit non-zero")
    func predictWithOneBadImage() throws {
        let scratch = try ScratchFolder()
        let model = try knnModel(scratch, data: try scratch.writePatternDataset())
        let good1 = try scratch.write("a.png", try Pattern.top.png(width: 16, height: 16, channels: 1))
        let bad = try scratch.write("b.png", Data("text".utf8))
        let good2 = try scratch.write("c.png", try Pattern.left.png(width: 16, height: 16, channels: 1))
        let run = try LensBinary.run(["predict", "--model", model, good1, bad, good2], in: scratch.url)
        #expect(run.status != 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("\(good1): top") && lines[1].hasPrefix("\(good2): left"), "\(run.stdout)")
        #expect(run.stderr.contains("\(bad): not a PNG, JPEG or PGM image"), "\(run.stderr)")
        #expect(run.stderr.contains("1 of 3 images could not be read (listed above); the other 2 were predicted"), "\(run.stderr)")
        let json = try LensBinary.run(["predict", "--json", "--model", model, good1, bad, good2], in: scratch.url)
        let results = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(results?.compactMap { $0["image"] as? String } == [good1, good2])
    }

    @Test("a failed write to stdout (a full device) is an error, not exit 0")
    func stdoutFull() throws {
        let scratch = try ScratchFolder()
        let run = try LensBinary.run(["dataset", "info", "orl", "--json"], in: scratch.url, stdout: URL(fileURLWithPath: "/dev/full"))
        #expect(run.status == 74, "\(run.status) \(run.stderr)")
        #expect(run.stderr == "lens: cannot write the output to stdout: No space left on device\n")
    }

    @Test("a model trained on a relative --data path evaluates from another folder; a different or changed folder is named")
    func movedAndChangedData() throws {
        let scratch = try ScratchFolder()
        _ = try scratch.writePatternDataset()
        let train = try LensBinary.run(["train", "--model", "knn", "--data", "patterns", "--out", "m.safetensors"], in: scratch.url)
        #expect(train.status == 0, "\(train.stderr)")
        let model = try ModelFile(contentsOf: URL(fileURLWithPath: scratch.path("m.safetensors")))
        #expect(model.provenance.dataset == scratch.path("patterns"), "the absolute path is recorded")
        #expect(model.provenance.datasetFingerprint?.hasPrefix("fnv1a64:") == true)

        let elsewhere = try scratch.makeFolder("elsewhere")
        let evaluate = try LensBinary.run(["evaluate", "--model", scratch.path("m.safetensors")], in: URL(fileURLWithPath: elsewhere))
        #expect(evaluate.status == 0 && evaluate.stdout.contains("on \(scratch.path("patterns")), test split"), "\(evaluate.stdout) \(evaluate.stderr)")
        #expect(!evaluate.stderr.contains("warning"), "\(evaluate.stderr)")

        // Another folder with the same classes and count but other files.
        _ = try scratch.writePatternDataset("other", pngsPerClass: 9)
        try FileManager.default.moveItem(atPath: scratch.path("other/top/0.png"), toPath: scratch.path("other/top/renamed.png"))
        let other = try LensBinary.run(["evaluate", "--model", scratch.path("m.safetensors"), "--data", scratch.path("other")], in: scratch.url)
        #expect(other.stderr.contains("warning: \(scratch.path("other")) does not hold the files the model was trained on"), "\(other.stderr)")

        // The training folder itself, changed in place.
        try FileManager.default.moveItem(atPath: scratch.path("patterns/left/3.png"), toPath: scratch.path("patterns/left/x.png"))
        let changed = try LensBinary.run(["evaluate", "--model", scratch.path("m.safetensors")], in: scratch.url)
        #expect(changed.stderr.contains("warning: \(scratch.path("patterns")) has changed since training (30 images now, 30 then;"), "\(changed.stderr)")
    }

    @Test("classes of one image each: empty splits are warned about, --patience is said to be inert, the demo has nothing to test on")
    func oneImagePerClass() throws {
        let scratch = try ScratchFolder()
        for index in 0..<5 {
            try scratch.write("single/class\(index)/a.png", try Pattern.allCases[index % 3].png(width: 8, height: 8, channels: 1))
        }
        let train = try LensBinary.run(["train", "--model", "mlp", "--hidden", "4", "--size", "8", "--epochs", "2", "--patience", "3",
                                        "--data", "single", "--out", "m.safetensors"], in: scratch.url)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("warning: the validation and test split of \(scratch.path("single")) is empty: 5 images in 5 classes"), "\(train.stderr)")
        #expect(train.stderr.contains("warning: no validation data, so --patience has no effect"), "\(train.stderr)")
        let demo = try LensBinary.run(["demo", "--quick", "--dataset", "single", "--out", "report"], in: scratch.url)
        #expect(demo.status != 0)
        #expect(demo.stderr.contains("nothing to test on: the test split is empty (5 images in 5 classes)"), "\(demo.stderr)")
        #expect(!demo.stdout.contains("0.000"), "no accuracy table of zeros: \(demo.stdout)")
    }
}
