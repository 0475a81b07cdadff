import Foundation
import LensData
import LensModels
import LensServer
import LensStudio
import LensTestSupport
import Testing

/// `lens serve` as a user runs it: a separate process with `--model`, stopping cleanly on SIGTERM
/// and SIGINT in the middle of a training job without leaving a model file behind (exit 143 and
/// 130 with a line, as the other commands); a port in use named; a remote --host warned about. (The 10-second
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

    /// `lens ARGUMENTS` started, its stdout and stderr collected together.
    static func launch(_ arguments: [String]) throws -> (Process, Output) {
        let process = Process()
        process.executableURL = try Self.lensExecutable()
        process.arguments = arguments
        let pipe = Pipe()
        let output = Output()
        pipe.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        return (process, output)
    }

    /// Waits for `process` to end (at most `limit`).
    static func finish(_ process: Process, within limit: Duration = .seconds(20)) async throws {
        _ = try await Eventually.wait(upTo: limit) { !process.isRunning }
    }

    static func port(in output: String, host: String = "127.0.0.1") -> Int? {
        guard let range = output.range(of: "http://\(host):") else { return nil }
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

        let launched = ContinuousClock.now
        let (process, output) = try Self.launch(["serve", "--model", modelFile.path, "--port", "0", "--models-dir", folder.path])
        defer { if process.isRunning { process.terminate() } }

        _ = try await Eventually.wait(upTo: .seconds(600)) { Self.port(in: output.text) != nil }
        let http = RawHTTP(port: try #require(Self.port(in: output.text), "no address printed within 600 s: \(output.text)"))
        let models = try await http.send("GET", "/api/models")
        #expect(models.status == 200 && models.text.contains("\"faces\""))

        // A long job: started once the model's data has loaded, then the signal arrives mid-job.
        var started = RawHTTP.Answer(status: 0, headers: [:], body: Data())
        for _ in 0..<200 {
            started = try await http.send("POST", "/api/train", body: Data(#"{"kind": "mlp", "hidden_units": 300, "epochs": 500, "patience": 0}"#.utf8))
            if started.status != 409 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(started.status == 202, "\(started.text)")
        try await Task.sleep(for: .milliseconds(500))
        kill(process.processIdentifier, signal)
        let signalled = ContinuousClock.now
        _ = try await Eventually.wait(upTo: .seconds(120)) { !process.isRunning }
        #expect(!process.isRunning, "still running 120 s after signal \(signal)")
        #expect(process.terminationStatus == 128 + signal, "exit status \(process.terminationStatus): \(output.text)")
        let name = signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)"
        #expect(output.text.contains("lens: \(name), stopped after closing its connections"), "\(output.text)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(left == ["faces.safetensors"], "\(left): \(output.text)")
    }

    @Test func aPortInUseIsNamedWithTheFlag() async throws {
        // A port this test holds: bound and listening on 127.0.0.1.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-serve-port-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (process, output) = try Self.launch(["serve", "--port", String(port), "--models-dir", folder.path])
        defer { if process.isRunning { process.terminate() } }
        try await Self.finish(process, within: .seconds(60))
        #expect(!process.isRunning && process.terminationStatus != 0, "\(output.text)")
        #expect(output.text.contains("port \(port) is already in use; give another with --port"), "\(output.text)")
        #expect(!output.text.contains("errno") && !output.text.contains("bind("), "\(output.text)")
    }

    @Test func aRemoteHostIsWarnedAbout() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-serve-remote-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Refused without --allow-remote, before anything listens.
        let (refused, refusal) = try Self.launch(["serve", "--host", "0.0.0.0", "--port", "0", "--models-dir", folder.path])
        try await Self.finish(refused)
        #expect(!refused.isRunning && refused.terminationStatus != 0)
        #expect(refusal.text.contains("no authentication") && refusal.text.contains("--allow-remote"), "\(refusal.text)")
        // With it, a warning and then the server.
        let (process, output) = try Self.launch(["serve", "--host", "0.0.0.0", "--allow-remote", "--port", "0", "--models-dir", folder.path])
        defer { if process.isRunning { process.terminate() } }
        _ = try await Eventually.wait(upTo: .seconds(600)) { Self.port(in: output.text, host: "0.0.0.0") != nil || !process.isRunning }
        #expect(output.text.contains("warning: listening on 0.0.0.0") && output.text.contains("no authentication"), "\(output.text)")
        let port = try #require(Self.port(in: output.text, host: "0.0.0.0"), "\(output.text)")
        #expect(try await RawHTTP(port: port).send("GET", "/api/models").status == 200)
        // Addressed as another machine would reach it (this machine's LAN address), it answers; a name it refuses.
        let lan = try #require(MachineAddresses.current().subtracting(ServerConfiguration.loopbackNames).sorted().first)
        let remote = try await RawHTTP(port: port).send("GET", "/api/models", host: "\(lan):\(port)")
        #expect(remote.status == 200, "Host: \(lan): \(remote.status) \(remote.text)")
        #expect(try await RawHTTP(port: port).send("GET", "/api/models", host: "evil.example:\(port)").status == 403)
        kill(process.processIdentifier, SIGTERM)
        try await Self.finish(process)
        #expect(process.terminationStatus == 128 + SIGTERM, "\(output.text)")
        // An address this machine does not have (TEST-NET-1) is said in words.
        let (elsewhere, said) = try Self.launch(["serve", "--host", "192.0.2.1", "--allow-remote", "--port", "0", "--models-dir", folder.path])
        defer { if elsewhere.isRunning { elsewhere.terminate() } }
        try await Self.finish(elsewhere, within: .seconds(60))
        #expect(said.text.contains("--host 192.0.2.1 is not an address of this machine"), "\(said.text)")
    }
}
