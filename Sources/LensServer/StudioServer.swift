import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import LensStudio
import ServiceLifecycle

/// `lens serve`: the pages and the API over one model library.
public enum StudioServer {
    /// The application, listening as `configuration` says; `onRunning` gets the port it bound.
    public static func application(library: ModelLibrary, configuration: ServerConfiguration,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        Application(router: try router(library: library, configuration: configuration),
                    server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lens",
                                         availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) })
    }

    /// Every page's path and every file's under /static/ (the files of Resources/web, compiled in).
    public static var servedPaths: [String] {
        PageRoutes.pages.map(\.path) + PageRoutes.staticFiles.map { "/static/" + $0 }
    }

    /// Every page and route behind the guards, without a socket (the fuzz target drives it in-process).
    public static func router(library: ModelLibrary, configuration: ServerConfiguration) throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: StudioErrorMiddleware())
        router.add(middleware: GuardMiddleware(configuration: configuration))
        try PageRoutes().add(to: router)
        APIRoutes(library: library, maxUpload: configuration.maxUpload).add(to: router)
        return router
    }

    /// Serves until `stop` is asked (or the task is cancelled), then shuts down gracefully: a
    /// training job in progress is cancelled first, so that its event streams end and no model file
    /// is half written, then the connections close. Returns the signal that stopped it, if any.
    /// A port in use or an address this machine does not have is a `ServerError` saying so.
    @discardableResult
    public static func run(library: ModelLibrary, configuration: ServerConfiguration, stop: ServerStop? = nil,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> Int32? {
        let app = try application(library: library, configuration: configuration, onRunning: onRunning)
        // Shut down in reverse order: the job first, then the server's connections.
        let group = ServiceGroup(configuration: .init(services: [app, TrainingJobStopper(runner: library.runner)], logger: app.logger))
        stop?.whenAsked { Task { await group.triggerGracefulShutdown() } }
        do {
            try await group.run()
        } catch {
            // A stop that came before the group ran ends it with an error of its own: still a stop.
            if let signal = stop?.signal { return signal }
            throw ServerError(starting: error, configuration: configuration)
        }
        return stop?.signal
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
