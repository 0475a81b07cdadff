import Foundation

/// The buffers of a network's last `logits` call, kept for its next one (PyTorch's caching
/// allocator does the same for activations). Without them every inference call allocates and
/// page-faults its activations afresh: 25 MB for the first layer of W4 at batch 256, which cost
/// more than that layer's arithmetic.
///
/// Shared by the copies of a network (it is only a cache: a copy that finds it empty or taken by
/// another thread builds its own buffers).
final class InferenceScratch: @unchecked Sendable {
    private let lock = NSLock()
    private var network: Network?

    /// A scratch that keeps nothing: the one the cached network itself points to, so that the
    /// cache does not hold itself alive.
    static let detached = InferenceScratch()

    func take() -> Network? {
        lock.withLock {
            defer { network = nil }
            return network
        }
    }

    func keep(_ scratch: Network) {
        guard self !== Self.detached else { return }
        lock.withLock { network = scratch }
    }
}
