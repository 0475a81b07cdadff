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

    public init() {}

    /// The figure for `key`, starting `compute` on a thread of its own the first time the key is
    /// asked for. Later calls never start it again, whatever `compute` they pass.
    public func state(_ key: String, compute: @escaping @Sendable () throws -> Value) -> State {
        let start: Bool = lock.withLock {
            if states[key] != nil { return false }
            states[key] = .computing
            return true
        }
        if start {
            Thread.detachNewThread { [self] in
                BackgroundPriority.lowerCurrentThread()
                let result: State
                do { result = .ready(try compute()) } catch {
                    result = .failed(error as? StudioError ?? StudioError(.failed, FileProblem.message(error)))
                }
                lock.withLock { states[key] = result }
            }
        }
        return lock.withLock { states[key] ?? .computing }
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
