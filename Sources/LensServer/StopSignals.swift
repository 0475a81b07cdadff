import Dispatch
import Foundation

/// SIGINT and SIGTERM while the server runs: each starts the graceful shutdown, and the first one
/// is remembered so that `lens serve` can exit with 128 + its number like the other commands.
final class StopSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    private var sources: [DispatchSourceSignal] = []

    init(_ signals: [Int32], stop: @escaping @Sendable () -> Void) {
        for number in signals {
            // Ignored as a default action, so that only the source below sees it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                lock.withLock { if first == nil { first = number } }
                stop()
            }
            source.resume()
            sources.append(source)
        }
    }

    var received: Int32? { lock.withLock { first } }

    func cancel() {
        lock.withLock {
            for source in sources { source.cancel() }
            sources.removeAll()
        }
    }
}
