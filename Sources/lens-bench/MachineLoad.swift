import Foundation

/// How busy the machine is with other work, from /proc/stat (Linux; elsewhere nothing is known).
/// The peers' scripts do the same (common.py: wait_idle, contention_start/end), so both sides of a
/// ratio can state how quiet the machine was.
struct MachineLoad {
    private let busy: Double, total: Double, ownCPU: Double, wall: Double

    /// Waits up to `maxSeconds` (10 s, so a busy machine adds at most a few minutes to a full run) for the machine to be idle (others below 10% of the CPUs), then
    /// starts counting.
    static func startWhenQuiet(maxSeconds: Double = 10) -> MachineLoad? {
        let deadline = Date().addingTimeInterval(maxSeconds)
        while let before = ticks() {
            Thread.sleep(forTimeInterval: 0.3)
            guard let after = ticks() else { break }
            let fraction = (after.busy - before.busy) / max(1, after.total - before.total)
            if fraction < 0.10 || Date() >= deadline { break }
        }
        guard let now = ticks() else { return nil }
        return MachineLoad(busy: now.busy, total: now.total, ownCPU: processCPUSeconds(), wall: Date().timeIntervalSince1970)
    }

    /// Share of the machine's CPU time used by other processes since `start` (0...1).
    func othersShare() -> Double? {
        guard let now = Self.ticks() else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let elapsed = Date().timeIntervalSince1970 - wall
        let cpus = Double(ProcessInfo.processInfo.activeProcessorCount)
        let others = (now.busy - busy) / ticksPerSecond - (Self.processCPUSeconds() - ownCPU)
        return max(0, others) / max(elapsed * cpus, 1e-9)
    }

    private static func ticks() -> (busy: Double, total: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let values = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard values.count == 8 else { return nil }
        let total = values.reduce(0, +), idle = values[3] + values[4]
        return (total - idle, total)
    }

    private static func processCPUSeconds() -> Double {
        let usage = ownResourceUsage()
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// getrusage for this process.
func ownResourceUsage() -> rusage {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return usage
}
