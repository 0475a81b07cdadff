import ArgumentParser
import Dispatch
import Foundation
import LensData
import LensModels
import LensServer
import LensStudio
import LensTensor

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The local web app: overview, templates, explanations and live training in a browser.",
        discussion: """
        With no model, serves the demo's softmax, MLP and CNN on the ORL faces, trained on the first start and kept in the models folder for the next. Listens on 127.0.0.1 only unless --host says otherwise (with --allow-remote: the app has no authentication), and answers only requests addressed to this machine or to that host; pages of other sites cannot change anything. SIGINT or SIGTERM stops it after its connections close (exit 130 or 143). The Explain page's trust checks are kept in $XDG_CACHE_HOME/neurallens/figures (else ~/.cache/neurallens/figures), so a restart shows them at once.
        Examples:
          lens serve
          lens serve --model faces.safetensors --port 9000
          lens serve --model m.onnx --data photos --normalize imagenet --class-names names.txt
        """)

    @Option(help: "A model file written by `lens train`, an ONNX classifier (.onnx) or a PyTorch state_dict with --arch (default: the demo's models on ORL).")
    var model: String?

    @OptionGroup(title: ModelImportOptions.title)
    var imported: ModelImportOptions

    @Option(help: "Dataset for the overview and for training jobs (default: the one the model records).")
    var data: String?

    @Option(help: "Address to listen on; anything but loopback makes the app reachable from other machines and needs --allow-remote.")
    var host: String = ServerConfiguration.defaultHost

    @Flag(help: "Listen on a --host other machines can reach, although the app has no authentication.")
    var allowRemote = false

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
        if !configuration.isLoopback && !allowRemote {
            throw ValidationError("--host \(host) would let other machines use this app, which has no authentication (anyone who reaches the port can train models, fill --models-dir and see your data's images): give --allow-remote to do it anyway, or leave --host out")
        }
        if model == nil, let flag = imported.given.first {
            throw ValidationError("\(flag) needs --model: it says how to read the model file")
        }
        if data != nil && model == nil {
            throw ValidationError("--data needs --model: without a model the app serves the demo's models on ORL")
        }
    }

    var configuration: ServerConfiguration {
        ServerConfiguration(host: host, port: port, maxUpload: ServerConfiguration.byteCount(maxUpload) ?? ServerConfiguration.defaultMaxUpload)
    }

    func run() throws {
        let configuration = configuration
        try checkOutputs()
        if !configuration.isLoopback {
            Terminal.status("lens serve: warning: listening on \(host), reachable from other machines; the app has no authentication, so anyone who reaches port \(port) can use it")
        }
        let directory = URL(fileURLWithPath: modelsDir)
        // Trust checks are kept in the user's cache folder: a restart reads them back at once.
        let library = ModelLibrary(directory: directory, figureCache: .user())
        if let model, let modelFile = try servedModel() {
            let url = URL(fileURLWithPath: model)
            if data == nil, modelFile.provenance.dataset.isEmpty { Terminal.status("lens serve: \(Self.noDataNote(model))") }
            library.add(modelFile, id: url.deletingPathExtension().lastPathComponent, file: url, source: data.map(DatasetSource.init(argument:)))
        } else {
            // Trained in the background: the server answers at once and lists each model when ready.
            Thread.detachNewThread {
                do { try DemoModels.prepare(in: directory, library: library) } catch {
                    library.setPreparing(nil, problem: "the demo's models could not be prepared: \(FileProblem.message(error))")
                    Terminal.status("lens serve: the demo's models could not be prepared: \(FileProblem.message(error))")
                }
            }
        }
        // SIGINT/SIGTERM stop the server gracefully (no half-written model), then the command exits 130/143.
        let stop = ServerStop()
        Interruption.shared.route { stop.stop(signal: $0) }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        Task {
            do {
                let signal = try await StudioServer.run(library: library, configuration: configuration, stop: stop) { port in
                    Terminal.status("lens serve: http://\(shownHost):\(port)/  (Ctrl-C stops)")
                }
                outcome.set(signal: signal)
            } catch {
                outcome.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw Self.message(for: error) }
        if let signal = outcome.signal {
            throw Interrupted(signal: signal, message: "\(Interruption.name(signal)), stopped after closing its connections")
        }
    }

    /// --model, read as the import flags say; nil: the demo's models.
    func servedModel() throws -> ModelFile? { try model.map { try imported.load($0) } }

    /// The line a model that records no dataset, served without --data, gets at the start.
    static func noDataNote(_ model: String) -> String {
        "\(model) records no dataset: the app shows predictions and maps of uploaded images; give --data FOLDER "
            + "(one subfolder per class) for the overview, nearest images and trust checks"
    }

    /// The server's failure in words, with the flag that fixes it.
    static func message(for error: Error) -> CLIError {
        guard let error = error as? ServerError else { return CLIError("lens serve stopped: \(error)") }
        switch error.reason {
        case .portInUse(let port): return CLIError("port \(port) is already in use; give another with --port")
        case .addressUnavailable(let host): return CLIError("--host \(host) is not an address of this machine; leave it out to listen on 127.0.0.1")
        case .portNeedsPrivileges(let port): return CLIError("port \(port) needs root privileges (ports below 1024); give one above 1023 with --port")
        case .other: return CLIError("lens serve stopped: \(error)")
        }
    }

    /// --models-dir, where the demo's models and the app's training jobs are written, checked
    /// before the server starts (the library checks each model file again as it is written).
    func checkOutputs() throws {
        try OutputCheck.check([OutputTarget("--models-dir", modelsDir, .modelsFolder)],
                              inputs: (model.map { InputPath.model($0, data: data) } ?? []) + imported.inputs)
    }

    /// The server's error, handed from its task to the waiting command.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Error?
        private var storedSignal: Int32?
        var error: Error? { lock.withLock { stored } }
        var signal: Int32? { lock.withLock { storedSignal } }
        func set(_ error: Error) { lock.withLock { stored = error } }
        func set(signal: Int32?) { lock.withLock { storedSignal = signal } }
    }
}
