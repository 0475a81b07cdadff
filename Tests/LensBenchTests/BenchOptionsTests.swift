import Foundation
import Testing
@testable import lens_bench

/// The problem lens-bench names for a refused command line (nil when it is accepted).
func benchUsageProblem(_ arguments: [String]) -> String? {
    do {
        _ = try BenchOptions(arguments: arguments)
        return nil
    } catch {
        if case .usage(let problem) = error { return problem }
        return "not a usage error: \(error)"
    }
}

/// lens-bench refuses a bad command line or peers file with a message that names the problem.
@Suite struct BenchOptionsTests {
    private func usageProblem(_ arguments: [String]) -> String? { benchUsageProblem(arguments) }

    @Test func goodCommandLinesParse() throws {
        let options = try BenchOptions(arguments: ["--quick", "--json", "--only", "g1,W6", "--gemm", "64x300x4096:NT,8x8x8"])
        #expect(options.quick && options.json)
        #expect(options.only == ["G1", "W6"])
        #expect(options.gemmShapes == ["64x300x4096:NT", "8x8x8"])
        #expect(options.selects(group: "G1", id: "G1-1024-t2"))
        #expect(!options.selects(group: "W4", id: "W4-train"))
    }

    /// One W9 row id runs that model (and only that row); the group runs both models.
    @Test func oneW9RowSelectsItsModel() throws {
        let w9 = RealCNNWorkload()
        let row = try BenchOptions(arguments: ["--only", "W9-resnet18-ig50"])
        #expect(w9.selects(model: "resnet18", options: row))
        #expect(!w9.selects(model: "mobilenet_v2", options: row))
        #expect(row.selects(group: "W9", id: "W9-resnet18-ig50") && !row.selects(group: "W9", id: "W9-resnet18-latency-bs1"))
        let group = try BenchOptions(arguments: ["--only", "W9"])
        #expect(RealCNNWorkload.models.allSatisfy { w9.selects(model: $0, options: group) })
        let other = try BenchOptions(arguments: ["--only", "G1"])
        #expect(!w9.selects(model: "resnet18", options: other))
    }

    @Test(arguments: ["64x300", "0x1x1", "-4x4x4", "99999999999x99999999999x1", "4x4x4:NQ", "4x4x4:N", "4xx4", "axbxc"])
    func badGemmShapesNameTheShape(shape: String) {
        let problem = usageProblem(["--gemm", shape])
        #expect(problem?.contains("'\(shape)'") == true, "\(problem ?? "accepted")")
    }

    @Test func missingValuesAndUnknownFlagsAreNamed() {
        #expect(usageProblem(["--gemm"])?.contains("--gemm needs") == true)
        #expect(usageProblem(["--only"])?.contains("--only needs") == true)
        #expect(usageProblem(["--peers"])?.contains("--peers needs") == true)
        #expect(usageProblem(["--fast"])?.contains("unknown argument '--fast'") == true)
    }

    @Test func unreadableOrMalformedPeersFilesAreNamed() throws {
        let reference = try #require(Bundle.module.url(forResource: "peers", withExtension: "json"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.jsonl").path
        let garbled = folder.appendingPathComponent("garbled.jsonl")
        try Data("{\"workload\": \"G1\"\n{not json}\n".utf8).write(to: garbled)
        for (file, phrase) in [(missing, "cannot read it"), (garbled.path, "is not a JSON object")] {
            do {
                _ = try PeerFigures(referenceFile: reference, measuredFile: file)
                Issue.record("\(file) was accepted")
            } catch {
                #expect("\(error)".contains(file) && "\(error)".contains(phrase), "\(error)")
            }
        }
    }

    @Test func theBestOfSeveralPeerBuildsIsTheBar() throws {
        let reference = try #require(Bundle.module.url(forResource: "peers", withExtension: "json"))   // lens-bench's copy
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lens-bench-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let metric = PeerFigures.gemmMetric(m: 64, k: 64, n: 64, threads: 2)
        try Data("""
            {"workload": "G1", "peer": "numpy-env-as-is", "metric": "\(metric)", "unit": "GFLOP/s", "median": 100, "others_cpu": 0}
            {"workload": "G1", "peer": "numpy-skylakex", "metric": "\(metric)", "unit": "GFLOP/s", "median": 250, "others_cpu": 0}
            """.utf8).write(to: file)
        let peers = try PeerFigures(referenceFile: reference, measuredFile: file.path)
        let figure = try #require(peers.figure(workload: "G1", peer: "numpy", metric: metric, higherIsBetter: true))
        #expect(figure.value == 250 && figure.measuredHere)
        #expect(peers.figure(workload: "G1", peer: "numpy", metric: metric, higherIsBetter: false)?.value == 100)
    }
}
