import Foundation
import LensStudio
import LensTestSupport
import Testing
@testable import LensCLI

/// `bn`, `res` and `gap` in --arch on every command: training, every attribution map, units on a
/// block's output, templates of the first convolution, and the report.
@Suite("a CNN with batch normalisation and a residual block: train, explain, report")
struct BatchNormModelTests {
    @Test("train, maps, units, templates and report on conv3x3x4,bn,res3x3x6s2,gap")
    func everyCommandWorks() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let model = scratch.path("bn.safetensors")
        _ = try parse(TrainCommand.self, ["train", "--model", "cnn", "--arch", "conv3x3x4,bn,res3x3x6s2,gap", "--data", data,
                                          "--size", "16", "--epochs", "2", "--out", model]).train()
        for method in ["saliency", "gradcam", "integrated-gradients", "guided-backprop", "occlusion"] {
            let output = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", method, "--split", "test",
                                                         "--limit", "2", "--out", scratch.path("maps-" + method)]).explain()
            let report = try #require(output.attributionReport)
            #expect(report.items.count == 2)
            for item in report.items { #expect(item.files.contains { $0.hasSuffix(".png") } || item.problem != nil, "\(method)") }
        }
        let units = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "units", "--layer", "res1.relu",
                                                    "--out", scratch.path("units")]).explain()
        guard case .units(let layer) = units else { Issue.record("not a units report"); return }
        #expect(layer.summary.contains("res1.relu"))
        let templates = try parse(ExplainCommand.self, ["explain", "--model", model, "--method", "templates",
                                                        "--out", scratch.path("templates")]).explain()
        guard case .templates = templates else { Issue.record("not a templates report"); return }
        let out = scratch.path("report")
        try parse(ReportCommand.self, ["report", "--model", model, "--quick", "--out", out]).run()
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("res1.conv1") || index.contains("batchnorm1"), "the report lists the layers")
    }

    @Test("a bad bn/res item names --arch and the item", arguments: ["conv3x3x4,bnn", "conv3x3x4,res3x5x4", "fc8,res3x3x4"])
    func badItem(_ arch: String) throws {
        let scratch = try ScratchFolder()
        let message = failureMessage {
            _ = try parse(TrainCommand.self, ["train", "--model", "cnn", "--arch", arch, "--size", "16", "--epochs", "1",
                                              "--data", try scratch.writePatternDataset(), "--out", scratch.path("m.safetensors")]).train()
        }
        let item = String(arch.split(separator: ",").last ?? "")
        #expect(message?.contains("--arch") == true && message?.contains("\"\(item)\"") == true, "\(message ?? "no error")")
        #expect(message?.contains("\n") == false)
    }
}
