import Foundation
import Testing
@testable import lens_bench

/// W7's peer figures are found under the names w7_explain.py writes, from peers.json and from a
/// results file measured here.
@Suite struct ExplanationPeerTests {
    static let peersJSON = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/lens-bench/peers.json").standardized

    @Test func referenceFiguresOfEveryPeerMethod() throws {
        let peers = try PeerFigures(referenceFile: Self.peersJSON, measuredFile: nil)
        let expected: [(String, Int, Double)] = [("saliency", 1, 1.93), ("integrated-gradients", 64, 96.1), ("guided-backprop", 1, 3.24),
                                                 ("deconvnet", 64, 1.36), ("occlusion", 1, 254), ("gradcam", 64, 1.16)]
        for (method, batch, value) in expected {
            let metric = try #require(PeerFigures.explanationMetric(method: method, batch: batch))
            #expect(peers.figure(workload: "W7", peer: metric.peer, metric: metric.metric, higherIsBetter: false)?.value == value,
                    "\(method) batch \(batch)")
        }
        #expect(PeerFigures.explanationMetric(method: "smoothgrad", batch: 1) == nil)
    }

    @Test func measuredFiguresUseThePeerScriptsNames() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("w7-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let line = #"{"workload": "W7", "peer": "captum", "metric": "Occlusion(8x8,stride4) batch64", "unit": "ms/img", "median": 180.5}"#
        try Data((line + "\n").utf8).write(to: file)
        let peers = try PeerFigures(referenceFile: Self.peersJSON, measuredFile: file.path)
        let metric = try #require(PeerFigures.explanationMetric(method: "occlusion", batch: 64))
        let figure = peers.figure(workload: "W7", peer: metric.peer, metric: metric.metric, higherIsBetter: false)
        #expect(figure?.value == 180.5 && figure?.measuredHere == true)
    }
}
