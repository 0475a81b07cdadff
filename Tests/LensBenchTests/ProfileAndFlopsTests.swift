import Foundation
import Testing
@testable import lens_bench

/// `--profile`, `--repeat`, `--threads`, the scaling series' selection, the FLOP counts behind
/// `gflops` / `of_gemm`, and onnxruntime as the inference rows' peer.
@Suite struct ProfileAndFlopsTests {
    private func usageProblem(_ arguments: [String]) -> String? {
        do {
            _ = try BenchOptions(arguments: arguments)
            return nil
        } catch {
            if case .usage(let problem) = error { return problem }
            return "not a usage error: \(error)"
        }
    }

    @Test func profileOptionsParse() throws {
        let options = try BenchOptions(arguments: ["--profile", "W5-train", "--repeat", "3", "--threads", "1"])
        #expect(options.profile?.row == "W5-train" && options.profile?.repetitions == 3)
        #expect(options.threads == 1)
        #expect(try BenchOptions(arguments: ["--profile", "W4-latency-bs1"]).profile?.repetitions == 1)
    }

    @Test func badProfileOptionsAreNamed() {
        #expect(usageProblem(["--profile", "W9-train"])?.contains("--profile needs one of") == true)
        #expect(usageProblem(["--repeat", "2"])?.contains("after --profile") == true)
        #expect(usageProblem(["--profile", "W4-train", "--repeat", "-1"])?.contains("--repeat needs a count") == true)
        #expect(usageProblem(["--threads", "0"])?.contains("--threads needs") == true)
    }

    /// The scaling series run only when asked for, by group, series or row.
    @Test func scalingSeriesRunOnlyWhenAsked() throws {
        var ids: [String] = []
        let peers = try PeerFigures(referenceFile: #require(Bundle.module.url(forResource: "peers", withExtension: "json")), measuredFile: nil)
        ScalingWorkload().run(options: try BenchOptions(arguments: []), peers: peers) { ids.append($0.id) }
        #expect(ids.isEmpty, "a default run measured \(ids)")
        ScalingWorkload().run(options: try BenchOptions(arguments: ["--quick", "--only", "scale-ig-10"]), peers: peers) { ids.append($0.id) }
        #expect(ids == ["scale-ig-10"])
    }

    /// W4: 2·(32·784·25 + 64·196·800 + 3136·128 + 128·10) forward; training 3x that less the first layer's input gradient.
    @Test func flopCountsFollowTheLayers() {
        let w4 = NetworkProducts.of(group: "W4")
        #expect(w4.inferenceFlops == 2 * (32 * 784 * 25 + 64 * 196 * 800 + 3136 * 128 + 128 * 10))
        #expect(w4.trainingFlops == 3 * w4.inferenceFlops - 2 * 32 * 784 * 25)
        let w5 = NetworkProducts.of(group: "W5")
        #expect(w5.inferenceFlops == 2 * (16 * 4096 * 9 + 32 * 1024 * 144 + 64 * 256 * 288 + 4096 * 128 + 128 * 6))
    }

    @Test func onnxruntimeIsTheInferencePeerWhenMeasuredHere() throws {
        let reference = try #require(Bundle.module.url(forResource: "peers", withExtension: "json"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lens-bench-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("""
            {"workload": "W4", "peer": "torch", "metric": "inference bs256", "unit": "img/s", "median": 5000, "others_cpu": 0}
            {"workload": "W4", "peer": "onnxruntime", "metric": "inference bs256", "unit": "img/s", "median": 17000, "others_cpu": 0}
            {"workload": "W5", "peer": "torch", "metric": "inference bs256", "unit": "img/s", "median": 1600, "others_cpu": 0}
            """.utf8).write(to: file)
        let peers = try PeerFigures(referenceFile: reference, measuredFile: file.path)
        let w4 = peers.inferenceFigure(workload: "W4", metric: "inference bs256", higherIsBetter: true)
        #expect(w4?.name == "onnxruntime" && w4?.value == 17000)
        let w5 = peers.inferenceFigure(workload: "W5", metric: "inference bs256", higherIsBetter: true)
        #expect(w5?.name == "torch" && w5?.value == 1600, "onnxruntime's W5 figure is only peers.json's")
    }
}
