import Foundation
import LensStudio
import Testing

/// Slow figures start once per key, answer "computing" meanwhile, and keep their failure.
@Suite struct BackgroundFiguresTests {
    /// Polls until `key` is no longer computing (at most 10 s).
    static func settled<V>(_ figures: BackgroundFigures<V>, _ key: String) async throws -> BackgroundFigures<V>.State {
        for _ in 0..<1000 {
            let state = figures.state(key) { throw StudioError(.failed, "started twice") }
            if case .computing = state { try await Task.sleep(for: .milliseconds(10)); continue }
            return state
        }
        Issue.record("\(key) never finished")
        return .computing
    }

    @Test func computesOncePerKeyAndKeepsFailures() async throws {
        let figures = BackgroundFigures<Int>()
        let gate = DispatchSemaphore(value: 0)
        let first = figures.state("a") {
            gate.wait()
            return 42
        }
        guard case .computing = first else { Issue.record("a figure was ready before its computation ran"); return }
        #expect(try figures.value("a") == nil)
        gate.signal()
        guard case .ready(let value) = try await Self.settled(figures, "a") else { Issue.record("a did not become ready"); return }
        #expect(value == 42)
        #expect(try figures.value("a") == 42)

        _ = figures.state("b") { throw StudioError(.notApplicable, "no conv layer") }
        guard case .failed(let error) = try await Self.settled(figures, "b") else { Issue.record("b did not fail"); return }
        #expect(error == StudioError(.notApplicable, "no conv layer"))
        #expect(throws: StudioError(.notApplicable, "no conv layer")) { _ = try figures.value("b") }
        #expect(try figures.value("never asked") == nil)
    }
}
