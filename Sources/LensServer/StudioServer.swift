import Foundation
import Hummingbird
import LensStudio
import ServiceLifecycle

/// `lens serve`: the pages and the API over one model library.
public enum StudioServer {
    /// The application, listening as `configuration` says; `onRunning` gets the port it bound.
    public static func application(library: ModelLibrary, configuration: ServerConfiguration,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: StudioErrorMiddleware())
        router.add(middleware: GuardMiddleware(configuration: configuration))
        try PageRoutes().add(to: router)
        APIRoutes(library: library, maxUpload: configuration.maxUpload).add(to: router)
        return Application(router: router,
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lens"),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) })
    }

    /// Serves until SIGINT or SIGTERM (or the task is cancelled); a training job in progress is
    /// cancelled first, so that its event streams end and no model file is half written.
    public static func run(library: ModelLibrary, configuration: ServerConfiguration,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = try application(library: library, configuration: configuration, onRunning: onRunning)
        // Shut down in reverse order: the job first, then the server's connections.
        let group = ServiceGroup(configuration: .init(services: [app, TrainingJobStopper(runner: library.runner)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger))
        try await group.run()
    }
}

/// Cancels the running training job when the server shuts down and waits for it to stop.
struct TrainingJobStopper: Service {
    let runner: TrainingRunner

    func run() async throws {
        try? await gracefulShutdown()
        let runner = runner
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                runner.cancelAndWait()
                done.resume()
            }
        }
    }
}
