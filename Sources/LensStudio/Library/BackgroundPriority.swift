#if canImport(Glibc)
import Glibc
#endif

/// Slow background figures run at a lower scheduling priority than the requests, so that a trust
/// check busy for a minute does not double the time a person waits for the maps of a dropped image.
enum BackgroundPriority {
    /// The nice value background threads take (0 is normal, 19 the lowest).
    static let niceness: Int32 = 10

    /// Lowers the calling thread's priority to `niceness`, never raising it (a server started
    /// under `nice 15` keeps 15). Linux only: there the nice value is per thread, and `who` 0 names
    /// the calling thread; elsewhere nothing changes.
    static func lowerCurrentThread() {
        #if os(Linux)
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        _ = setpriority(which, 0, max(getpriority(which, 0), niceness))
        #endif
    }
}
