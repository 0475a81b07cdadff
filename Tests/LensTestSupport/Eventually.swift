import Foundation

/// Waiting for something another process or thread does, in tests that share two cores with the
/// rest of the suite: a test task can sleep far past its deadline while long synchronous tests hold
/// the cooperative pool, so the condition is checked once more after the deadline before giving up.
public enum Eventually {
    /// True as soon as `done()` is; false if it is still false after `limit` (checked once more
    /// after the deadline).
    public static func wait(upTo limit: Duration, every pause: Duration = .milliseconds(50),
                            _ done: () throws -> Bool) async throws -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if try done() { return true }
            try await Task.sleep(for: pause)
        }
        return try done()
    }
}
