import Foundation
import LensData
import LensModels
import LensStudio
import Testing

/// `lens serve` as a user runs it: a separate process with `--model`, stopping cleanly on SIGTERM
/// and SIGINT in the middle of a training job without leaving a model file behind. (The 10-second
/// start is checked by scripts/browser-test.py on a release build: this debug process shares the
/// cores with every other suite of `swift test`, and took over 60 s to start once under that load in CI.)
@Suite(.serialized) struct ServeProcessTests {
    /// The `lens` executable built beside the test bundle.
    static func lensExecutable() throws -> URL {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lens")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw RawHTTP.Failure(description: "no lens executable at \(url.path): build it with `swift build` first")
        }
        return url
    }

    /// Collects a process's output as it arrives.
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    static func port(in output: String) -> Int? {
        guard let range = output.range(of: "http://127.0.0.1:") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func stopsCleanlyDuringATrainingJob(signal: Int32) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 32, channels: 1))
        var recipe = ModelRecipe.defaults(for: .softmax, trainingCount: dataset.split.train.count)
        recipe.options.epochs = 2
        let modelFile = folder.appendingPathComponent("faces.safetensors")
        try recipe.train(train: dataset.trainingSet, validation: nil, classNames: dataset.data.classNames,
                         preprocessing: dataset.preprocessing, dataset: "orl", split: dataset.plan,
                         datasetCount: dataset.data.labels.count).write(to: modelFile)

        let process = Process()
        process.executableURL = try Self.lensExecutable()
        process.arguments = ["serve", "--model", modelFile.path, "--port", "0", "--models-dir", folder.path]
        let pipe = Pipe()
        let output = Output()
        pipe.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
        process.standardError = pipe
        process.standardOutput = pipe
        let launched = ContinuousClock.now
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var port: Int?
        while port == nil, ContinuousClock.now - launched < .seconds(300) {
            port = Self.port(in: output.text)
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let http = RawHTTP(port: try #require(port, "no address printed within 300 s: \(output.text)"))
        let models = try await http.send("GET", "/api/models")
        #expect(models.status == 200 && models.text.contains("\"faces\""))

        // A long job: started once the model's data has loaded, then the signal arrives mid-job.
        var started = RawHTTP.Answer(status: 0, headers: [:], body: Data())
        for _ in 0..<200 {
            started = try await http.send("POST", "/api/train", body: Data(#"{"kind": "mlp", "hidden_units": 300, "epochs": 500}"#.utf8))
            if started.status != 409 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(started.status == 202, "\(started.text)")
        try await Task.sleep(for: .milliseconds(500))
        kill(process.processIdentifier, signal)
        let signalled = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - signalled < .seconds(20) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "still running 20 s after signal \(signal)")
        #expect(process.terminationStatus == 0, "exit status \(process.terminationStatus): \(output.text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["faces.safetensors"])
    }
}
