import Foundation

/// Threads of their own for the work a test must not have starved: an in-process server.
///
/// `swift test` runs every suite at once on the cooperative pool, which has one thread per core.
/// On a 2-core machine two long synchronous tests (training, a report) hold both threads for
/// minutes, and a server whose connections are tasks on that pool stops answering meanwhile; its
/// idle timeouts and the tests' deadlines then fail for reasons that are not the server's. A task
/// started with `Task(executorPreference: DedicatedExecutor.servers)` runs here, and so do its
/// child tasks (each connection of a Hummingbird server is one).
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor the test servers run on.
    public static let servers = DedicatedExecutor(threads: 4, name: "test-server")

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var next = 0

    public init(threads: Int, name: String) {
        for index in 0..<threads {
            let thread = Thread { self.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    private func work() {
        while true {
            let job: UnownedJob = condition.withLock {
                while next == jobs.count { condition.wait() }
                defer {
                    next += 1
                    // Drop the run prefix now and then, so the queue does not grow for ever.
                    if next > 1024 { jobs.removeFirst(next); next = 0 }
                }
                return jobs[next]
            }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
