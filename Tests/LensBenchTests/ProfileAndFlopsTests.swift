import Foundation
import LensModels
import Testing
@testable import lens_bench

/// `--profile`, `--repeat`, `--threads`, the scaling series' selection, the FLOP counts behind
/// `gflops` / `of_gemm`, and onnxruntime as the inference rows' peer.
@Suite struct ProfileAndFlopsTests {
    @Test func profileOptionsParse() throws {
        let options = try BenchOptions(arguments: ["--profile", "W5-train", "--repeat", "3", "--threads", "1"])
        #expect(options.profile?.row == "W5-train" && options.profile?.repetitions == 3)
        #expect(options.threads == 1)
        #expect(try BenchOptions(arguments: ["--profile", "W4-latency-bs1"]).profile?.repetitions == 1)
    }

    @Test func badProfileOptionsAreNamed() {
        #expect(benchUsageProblem(["--profile", "W9-train"])?.contains("--profile needs one of") == true)
        #expect(benchUsageProblem(["--repeat", "2"])?.contains("after --profile") == true)
        #expect(benchUsageProblem(["--profile", "W4-train", "--repeat", "-1"])?.contains("--repeat needs a count") == true)
        #expect(benchUsageProblem(["--threads", "0"])?.contains("--threads needs") == true)
    }

    @Test func layerTimesOptionsParse() throws {
        let options = try BenchOptions(arguments: ["--layer-times", "W9-mobilenet_v2-latency-bs1", "--repeat", "20"])
        #expect(options.layerTimes?.row == "W9-mobilenet_v2-latency-bs1" && options.layerTimes?.repetitions == 20)
        #expect(options.profile == nil)
        #expect(benchUsageProblem(["--layer-times", "W4-train"])?.contains("--layer-times needs one of") == true)
    }

    /// The per-layer table's multiply-adds and kinds: a 3x3 stride-2 depthwise layer and a 1x1 one on 8x8 positions.
    @Test func layerMultiplyAddsAndKinds() throws {
        let depthwise = Convolution(inChannels: 4, outChannels: 4, groups: 4,
                                    window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [1, 1, 1, 1]))
        let pointwise = Convolution(inChannels: 4, outChannels: 6, window: .square(kernel: 1, stride: 1, padding: 0))
        let architecture = try Architecture(inputShape: [4, 16, 16], layers: [
            LayerSpec(name: "dw", operation: .convolution(depthwise)), LayerSpec(name: "pw", operation: .convolution(pointwise)),
            LayerSpec(name: "relu6", operation: .clip(low: 0, high: 6)), .flatten(), .linear(in: 6 * 64, out: 2),
        ])
        #expect(LayerTimeTable.multiplyAdds(architecture, 0) == 4 * 64 * 9)
        #expect(LayerTimeTable.multiplyAdds(architecture, 1) == 6 * 64 * 4)
        #expect(LayerTimeTable.multiplyAdds(architecture, 2) == 0)
        #expect(LayerTimeTable.kind(architecture, 0) == "conv depthwise 3x3/2")
        #expect(LayerTimeTable.kind(architecture, 1) == "conv 1x1")
        #expect(LayerTimeTable.kind(architecture, 2) == "clip")
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
        let w4Forward: Double = 2 * (627_200 + 10_035_200 + 401_408 + 1_280)
        let w4FirstLayer: Double = 2 * 627_200
        #expect(w4.inferenceFlops == w4Forward)
        #expect(w4.trainingFlops == 3 * w4Forward - w4FirstLayer)
        let w5Forward: Double = 2 * (589_824 + 4_718_592 + 4_718_592 + 524_288 + 768)
        #expect(NetworkProducts.of(group: "W5").inferenceFlops == w5Forward)
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
