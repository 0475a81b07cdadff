import Foundation

/// Asks a running server to shut down gracefully, and remembers the signal that asked first: the
/// CLI hands it SIGINT and SIGTERM, then exits with 128 + that signal as the other commands do.
/// (The server does not take the signals itself: signal handling belongs to the whole process.)
public final class ServerStop: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    private var shutdown: (@Sendable () -> Void)?

    public init() {}

    /// Starts the graceful shutdown (now, or as soon as the server runs).
    public func stop(signal number: Int32) {
        let shutdown: (@Sendable () -> Void)? = lock.withLock {
            if first == nil { first = number }
            return self.shutdown
        }
        shutdown?()
    }

    /// The first signal that asked the server to stop.
    public var signal: Int32? { lock.withLock { first } }

    /// Called by the server once it can shut down; runs at once if a stop came earlier.
    func whenAsked(_ shutdown: @escaping @Sendable () -> Void) {
        let early: Bool = lock.withLock {
            self.shutdown = shutdown
            return first != nil
        }
        if early { shutdown() }
    }
}
