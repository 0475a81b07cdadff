import Foundation
import LensTensor

/// Slow figures (trust badges, unit galleries) computed once per key on a background thread, so that
/// a page asking for them gets an answer at once: the figure, "still computing", or why it failed.
/// Shared by every request: its state is read and written only under `lock`.
public final class BackgroundFigures<Value: Sendable>: @unchecked Sendable {
    /// Where a figure stands.
    public enum State: Sendable {
        case computing
        case ready(Value)
        case failed(StudioError)
    }

    private let lock = NSLock()
    private var states: [String: State] = [:]
    private var progresses: [String: (fraction: Double, started: Date)] = [:]

    public init() {}

    /// The figure for `key`, starting `compute` on a thread of its own the first time the key is
    /// asked for. Later calls never start it again, whatever `compute` they pass.
    public func state(_ key: String, compute: @escaping @Sendable () throws -> Value) -> State {
        state(key, reporting: { _ in try compute() })
    }

    /// As `state(_:compute:)`, for a computation that reports the fraction it has done (0 to 1),
    /// which `progress(_:)` turns into an estimate of the time left.
    public func state(_ key: String, reporting compute: @escaping @Sendable (_ done: @escaping @Sendable (Double) -> Void) throws -> Value) -> State {
        let start: Bool = lock.withLock {
            if states[key] != nil { return false }
            states[key] = .computing
            progresses[key] = (0, Date())
            return true
        }
        if start {
            Thread.detachNewThread { [self] in
                BackgroundPriority.lowerCurrentThread()
                let done: @Sendable (Double) -> Void = { [self] fraction in
                    lock.withLock { if let started = progresses[key]?.started { progresses[key] = (min(max(fraction, 0), 1), started) } }
                }
                let result: State
                do { result = .ready(try compute(done)) } catch {
                    result = .failed(error as? StudioError ?? StudioError(.failed, FileProblem.message(error)))
                }
                lock.withLock {
                    states[key] = result
                    progresses[key] = nil
                }
            }
        }
        return lock.withLock { states[key] ?? .computing }
    }

    /// How far the computation of `key` has come, while it runs.
    public func progress(_ key: String) -> BackgroundProgress? {
        lock.withLock { progresses[key] }.map { BackgroundProgress(fraction: $0.fraction, elapsed: Date().timeIntervalSince($0.started)) }
    }

    /// The figure for `key` if it is ready; throws the failure; nil while computing or never asked for.
    public func value(_ key: String) throws -> Value? {
        switch lock.withLock({ states[key] }) {
        case .ready(let value)?: value
        case .failed(let error)?: throw error
        case .computing?, nil: nil
        }
    }
}

/// Where a background computation stands: the fraction done, the seconds it has run, and the
/// seconds still to wait if it goes on at the pace it has kept (nil until it has done something).
public struct BackgroundProgress: Codable, Sendable, Equatable {
    public var fraction: Double
    public var elapsedSeconds: Double
    public var remainingSeconds: Double?

    public init(fraction: Double, elapsed: Double) {
        self.fraction = fraction
        elapsedSeconds = elapsed
        remainingSeconds = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : nil
    }
}
