/// Timing: warm-up, then the median of several samples, each long enough to be read reliably.
enum Measure {
    /// Median seconds per call of `body`: `warmups` untimed calls, then `samples` samples, each
    /// timing as many calls as fill about `sampleSeconds` (at least one).
    static func medianSeconds(samples: Int, warmups: Int, sampleSeconds: Double, _ body: () -> Void) -> Double {
        var calls = 1
        for index in 0..<max(1, warmups) {
            let seconds = time(body)
            if index == 0 { calls = max(1, Int(sampleSeconds / max(seconds, 1e-9))) }
        }
        let timings = (0..<max(1, samples)).map { _ in
            time { for _ in 0..<calls { body() } } / Double(calls)
        }
        return median(timings)
    }

    static func time(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
