import Dispatch
import Foundation

/// SIGINT and SIGTERM, turned from "die now" into something a command can answer.
///
/// Outside a `deferring` block a signal ends the process at once with the usual exit code
/// (128 + signal) and a line saying so. Inside one (training, writing a file) it is only
/// recorded: the work asks `requested` at safe points and stops there, so no file is left half
/// written. A second signal while one is pending ends the process at once.
final class Interruption: @unchecked Sendable {
    static let shared = Interruption()

    private let lock = NSLock()
    private var received: Int32?
    private var deferringDepth = 0
    private var sources: [DispatchSourceSignal] = []
    private var route: (@Sendable (Int32) -> Void)?

    /// Takes over SIGINT and SIGTERM for the rest of the process. Called first thing, on the main
    /// thread: the signals are blocked there and so in every thread started later, and Dispatch
    /// reads them for its sources; a thread that did not block them would let the kernel drop them.
    func install() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in [SIGINT, SIGTERM] { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Hands SIGINT and SIGTERM to `handler` instead, for a command that shuts down gracefully on
    /// its own (`lens serve`: the server drains its requests and a training job in progress writes
    /// nothing) and then throws `Interrupted` with `requested`.
    func route(to handler: @escaping @Sendable (Int32) -> Void) {
        lock.withLock { route = handler }
    }

    /// The signal received while deferring, if any.
    var requested: Int32? { lock.withLock { received } }

    /// Runs `body` with signals recorded rather than fatal.
    func deferring<T>(_ body: () throws -> T) rethrows -> T {
        lock.withLock { deferringDepth += 1 }
        defer { lock.withLock { deferringDepth -= 1 } }
        return try body()
    }

    private func handle(_ number: Int32) {
        // Routed once; a second signal while the command is stopping ends it at once.
        let routed: (@Sendable (Int32) -> Void)? = lock.withLock {
            guard let route, received == nil else { return nil }
            received = number
            return route
        }
        if let routed {
            routed(number)
            return
        }
        let exitNow: Bool = lock.withLock {
            if deferringDepth > 0 && received == nil {
                received = number
                return false
            }
            return true
        }
        if exitNow {
            Terminal.status("\nlens: \(Self.name(number)), stopped")
            exit(Self.exitCode(number))
        }
        Terminal.status("\nlens: \(Self.name(number)): stopping after the current batch (again to stop at once)")
    }

    static func exitCode(_ number: Int32) -> Int32 { 128 + number }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "interrupted (SIGINT)"
        case SIGTERM: "terminated (SIGTERM)"
        default: "signal \(number)"
        }
    }
}

/// A command stopped by a signal: `Lens.main` prints `message` and exits with 128 + `signal`.
struct Interrupted: Error, CustomStringConvertible {
    var signal: Int32
    var message: String
    var description: String { message }
}
