#if os(Linux)
import Foundation
import Glibc
import LensStudio
import Testing

/// Background figures run below the requests' priority, and only their own thread does.
@Suite struct BackgroundPriorityTests {
    static func niceness() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }

    @Test func aFigureIsComputedAtNiceTenAndTheCallerIsLeftAlone() async throws {
        let caller = Self.niceness()
        let figures = BackgroundFigures<Int32>()
        _ = figures.state("nice") { Self.niceness() }
        guard case .ready(let measured) = try await BackgroundFiguresTests.settled(figures, "nice") else {
            Issue.record("the figure did not become ready")
            return
        }
        // A process already at nice 10 or more (CI under `nice`) stays where it is: niceness only goes up.
        #expect(measured == max(caller, 10))
        #expect(Self.niceness() == caller)
    }
}
#endif
