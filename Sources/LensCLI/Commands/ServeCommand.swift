import ArgumentParser
import Dispatch
import Foundation
import LensData
import LensServer
import LensStudio
import LensTensor

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The local web app: overview, templates, explanations and live training in a browser.",
        discussion: """
        With no model, serves the demo's softmax, MLP and CNN on the ORL faces, trained on the first start and kept in the models folder for the next. Listens on 127.0.0.1 only unless --host says otherwise, and answers only requests addressed to this machine or to that host.
        Examples:
          lens serve
          lens serve --model faces.safetensors --port 9000
        """)

    @Option(help: "A model file written by `lens train` (default: the demo's models on ORL).")
    var model: String?

    @Option(help: "Dataset for the overview and for training jobs (default: the one the model records).")
    var data: String?

    @Option(help: "Address to listen on; anything but loopback makes the app reachable from other machines.")
    var host: String = ServerConfiguration.defaultHost

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = ServerConfiguration.defaultPort

    @Option(help: "Largest upload accepted, such as 10MiB, 512KiB or a number of bytes.")
    var maxUpload: String = ServerConfiguration.defaultMaxUploadText

    @Option(help: "Folder for the demo's models and for models trained from the app.")
    var modelsDir: String = "lens-models"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is out of range: give 0 to 65535") }
        guard !host.isEmpty else { throw ValidationError("--host is empty: give an address such as 127.0.0.1") }
        guard let bytes = ServerConfiguration.byteCount(maxUpload), bytes > 0 else {
            throw ValidationError("--max-upload \(maxUpload) is not a size above 0: give one such as 10MiB, 512KiB or 1048576")
        }
        if data != nil && model == nil {
            throw ValidationError("--data needs --model: without a model the app serves the demo's models on ORL")
        }
    }

    func run() throws {
        let configuration = ServerConfiguration(host: host, port: port, maxUpload: ServerConfiguration.byteCount(maxUpload) ?? ServerConfiguration.defaultMaxUpload)
        try checkOutputs()
        let directory = URL(fileURLWithPath: modelsDir)
        let library = ModelLibrary(directory: directory)
        if let model {
            try library.load(URL(fileURLWithPath: model), source: data.map(DatasetSource.init(argument:)))
        } else {
            // Trained in the background: the server answers at once and lists each model when ready.
            Thread.detachNewThread {
                do { try DemoModels.prepare(in: directory, library: library) } catch {
                    library.setPreparing(nil, problem: "the demo's models could not be prepared: \(FileProblem.message(error))")
                    Terminal.status("lens serve: the demo's models could not be prepared: \(FileProblem.message(error))")
                }
            }
        }
        // The server stops gracefully on SIGINT/SIGTERM itself (exit 0, no half-written model).
        Interruption.shared.handOver()
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        Task {
            do {
                try await StudioServer.run(library: library, configuration: configuration) { port in
                    Terminal.status("lens serve: http://\(shownHost):\(port)/  (Ctrl-C stops)")
                }
            } catch {
                outcome.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw CLIError("lens serve stopped: \(error)") }
    }

    /// --models-dir, where the demo's models and the app's training jobs are written, checked
    /// before the server starts (the library checks each model file again as it is written).
    func checkOutputs() throws {
        try OutputCheck.check([OutputTarget("--models-dir", modelsDir, .modelsFolder)],
                              inputs: model.map { InputPath.model($0, data: data) } ?? [])
    }

    /// The server's error, handed from its task to the waiting command.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Error?
        var error: Error? { lock.withLock { stored } }
        func set(_ error: Error) { lock.withLock { stored = error } }
    }
}
