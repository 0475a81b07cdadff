import Foundation
import LensKernels

/// Splits work over the machine's cores.
///
/// Waking a thread costs 15-50 µs on the 2-core machines this targets, so callers split only work
/// worth about 100 µs or more per part (see `parts(forWork:minimumPerPart:)`).
public enum Parallel {
    /// Cores this process may use.
    public static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Upper bound on the threads one operation uses; all cores unless set (e.g. to 1 to measure
    /// single-thread speed).
    public static var maximumThreads: Int {
        get { threadLimit.value }
        set { threadLimit.value = max(1, newValue) }
    }

    /// Runs `body(0)`, …, `body(parts - 1)`, each part on its own thread (the caller runs one), and
    /// returns when all are done. One part runs inline, with no thread hand-off.
    ///
    /// The threads are a small pool in LensKernels (parallel.c) that spins briefly between jobs, so
    /// back-to-back calls do not pay a thread wake-up each. While the pool is busy (another caller,
    /// or a part asking for parallel work itself) the parts run one after another on this thread.
    ///
    /// `body` must be safe to run concurrently with itself: parts write disjoint memory. It is not
    /// required to be `@Sendable` because its callers share raw buffers split by part.
    public static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            if parts == 1 { body(0) }
            return
        }
        let ran = withoutActuallyEscaping(body) { body -> Bool in
            var task = body
            return withUnsafeMutablePointer(to: &task) { pointer in
                lens_parallel_run(Int32(parts), { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
                }, pointer) == 0
            }
        }
        if !ran {
            for part in 0..<parts { body(part) }
        }
    }

    /// The number of parts `work` is worth: each part at least `minimumPerPart` (same unit), at most
    /// `maximumThreads` and `coreCount`, at least 1.
    public static func parts(forWork work: Double, minimumPerPart: Double) -> Int {
        let cap = min(maximumThreads, coreCount)
        guard minimumPerPart > 0 else { return cap }
        return max(1, min(cap, Int(work / minimumPerPart)))
    }

    private static let threadLimit = ThreadLimit(coreCount)
}

private final class ThreadLimit: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int
    init(_ value: Int) { stored = value }
    var value: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

extension Parallel {
    /// Floats per part below which an elementwise loop (a ReLU, an Add, a running sum) stays on one
    /// thread: tens of µs of work, against a hand-off of 15-50 µs.
    public static let elementwiseChunk = 1 << 16

    /// Runs `body` over `0..<count` cut into contiguous chunks of at least `minimumChunk` items,
    /// one per thread (elementwise loops: ReLU, pooling, optimizer updates). Small counts run inline.
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let parts = Parallel.parts(forWork: Double(count), minimumPerPart: Double(max(minimumChunk, 1)))
        guard parts > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        run(parts: parts) { part in body((count * part / parts)..<(count * (part + 1) / parts)) }
    }
}
