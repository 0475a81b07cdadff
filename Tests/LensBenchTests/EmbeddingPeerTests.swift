import Foundation
import Testing
@testable import lens_bench

/// W10's peer rows are found by the start of the names w10_embedding.py writes (its t-SNE row ends
/// with the trustworthiness it reached), from peers.json and from a results file measured here.
@Suite struct EmbeddingPeerTests {
    @Test func referenceAndMeasuredFiguresByTheirNamesStart() throws {
        let reference = try PeerFigures(referenceFile: ExplanationPeerTests.peersJSON, measuredFile: nil)
        let prefix = "t-SNE 10000 points (fashion-mnist), trustworthiness"
        #expect(reference.figure(workload: "W10-tsne", peer: "sklearn", metricPrefix: prefix, higherIsBetter: false)?.value == 32.7)
        #expect(reference.figure(workload: "W10-pca", peer: "sklearn", metricPrefix: "PCA 54000x784 -> 2 (fashion-mnist)", higherIsBetter: false)?.value == 0.88)
        #expect(reference.figure(workload: "W10-tsne", peer: "sklearn", metricPrefix: "t-SNE 10000 points (random)", higherIsBetter: false) == nil,
                "random data is not compared with the peer's Fashion-MNIST figure")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("w10-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let line = #"{"workload": "W10-tsne", "peer": "sklearn", "metric": "t-SNE 10000 points (fashion-mnist), trustworthiness 0.9951", "unit": "s", "median": 30.1}"#
        try Data((line + "\n").utf8).write(to: file)
        let measured = try PeerFigures(referenceFile: ExplanationPeerTests.peersJSON, measuredFile: file.path)
        let figure = measured.figure(workload: "W10-tsne", peer: "sklearn", metricPrefix: prefix, higherIsBetter: false)
        #expect(figure?.value == 30.1 && figure?.measuredHere == true)
        #expect(measured.metrics(workload: "W10-tsne", peer: "sklearn", metricPrefix: prefix).first == prefix + " 0.9951", "the one measured here first")
    }
}
