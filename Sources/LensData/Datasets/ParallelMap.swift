import Dispatch

/// `body(0) ... body(count - 1)` on all cores, results in index order. `body` must be safe to call
/// concurrently (it is, for pure decoding of separate files).
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deinitialize().deallocate() }
    let slots = UncheckedSendable(value: results)
    DispatchQueue.concurrentPerform(iterations: count) { index in
        slots.value[index] = body(index)
    }
    return results.map { $0! }
}

/// Lets concurrent iterations share a pointer; each writes only its own, disjoint part.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}
