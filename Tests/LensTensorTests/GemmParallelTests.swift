import Foundation
import Testing
@testable import LensTensor

/// The thread pool under MatrixMultiply: every part runs exactly once, also when parts ask for
/// parallel work themselves (the pool is busy then, so they run inline) and when two threads
/// submit at the same time.
@Test func everyPartRunsOnceIncludingNestedAndConcurrentCallers() {
    final class Counts: @unchecked Sendable {
        let lock = NSLock()
        var values = [Int: Int]()
        func add(_ key: Int) { lock.withLock { values[key, default: 0] += 1 } }
    }
    let counts = Counts()
    for round in 0..<200 {
        let parts = 1 + round % 5
        Parallel.run(parts: parts) { part in
            counts.add(round * 100 + part * 10)
            Parallel.run(parts: 2) { inner in counts.add(round * 100 + part * 10 + 1 + inner) }
        }
    }
    DispatchQueue.concurrentPerform(iterations: 2) { thread in
        for round in 0..<200 {
            Parallel.run(parts: 3) { part in counts.add(100_000 + thread * 10_000 + round * 10 + part) }
        }
    }
    var expected = [Int: Int]()
    for round in 0..<200 {
        for part in 0..<(1 + round % 5) {
            for offset in 0...2 { expected[round * 100 + part * 10 + offset] = 1 }
        }
    }
    for thread in 0..<2 { for round in 0..<200 { for part in 0..<3 { expected[100_000 + thread * 10_000 + round * 10 + part] = 1 } } }
    #expect(counts.values == expected)
}
