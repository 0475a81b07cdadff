import Foundation
import LensModels
import LensTensor

/// Runs one training job at a time on its own thread, reports every epoch (with the first-layer
/// templates) to whoever listens, stops at a batch boundary when cancelled, and writes the finished
/// model atomically, so a job that is cancelled or killed leaves no partial model file. Its mutable
/// state is read and written only under `lock` (the job thread, requests and listeners share it).
public final class TrainingRunner: @unchecked Sendable {
    /// The job running now, or the last one, with every event it sent.
    public struct Status: Codable, Sendable {
        public var running: Bool
        public var request: TrainingRequest?
        public var events: [TrainingEvent]
    }

    /// Templates kept per epoch: enough to watch, few enough that every epoch can be kept.
    public static let templatesPerEpoch = 40

    private let lock = NSLock()
    private var request: TrainingRequest?
    private var events: [TrainingEvent] = []
    private var running = false
    private var cancelled = false
    private var finished = DispatchSemaphore(value: 0)
    private var listeners: [UUID: AsyncStream<TrainingEvent>.Continuation] = [:]
    public init() {}

    public var status: Status {
        lock.withLock { Status(running: running, request: request, events: events) }
    }

    public var isRunning: Bool { lock.withLock { running } }

    /// Starts training `request` on `dataset`'s training split, to be written to `file` and called
    /// `name`; throws (busy) while another job runs. `onFinished` gets the model once it is on disk.
    public func start(_ request: TrainingRequest, dataset: StudioDataset, name: String, file: URL,
                      onFinished: @escaping @Sendable (_ name: String, _ file: URL, _ model: ModelFile) -> Void) throws {
        let recipe = try request.recipe(trainingCount: dataset.split.train.count)
        try lock.withLock {
            guard !running else { throw StudioError(.busy, "a training job is already running: wait for it or cancel it first") }
            running = true
            cancelled = false
            self.request = request
            events = []
            finished = DispatchSemaphore(value: 0)
        }
        send(TrainingEvent(kind: .started, sequence: 0, epochs: recipe.options.epochs))
        let thread = Thread { [self] in run(recipe, dataset: dataset, name: name, file: file, onFinished: onFinished) }
        thread.name = "lens training job"
        thread.start()
    }

    /// Asks the running job to stop at its next batch boundary; false when none runs.
    @discardableResult
    public func cancel() -> Bool {
        lock.withLock {
            guard running else { return false }
            cancelled = true
            return true
        }
    }

    /// Cancels the running job and waits up to `timeout` seconds for it to stop (shutdown).
    public func cancelAndWait(timeout: Double = 30) {
        let semaphore: DispatchSemaphore? = lock.withLock {
            guard running else { return nil }
            cancelled = true
            return finished
        }
        guard let semaphore else { return }
        _ = semaphore.wait(timeout: .now() + timeout)
        semaphore.signal()
    }

    /// The current job's events so far, then the rest as they come; ends after the final event.
    public func subscribe() -> AsyncStream<TrainingEvent> {
        let id = UUID()
        return AsyncStream { continuation in
            continuation.onTermination = { [weak self] _ in
                self?.lock.withLock { _ = self?.listeners.removeValue(forKey: id) }
            }
            // Replayed under the lock, so that no live event overtakes the past ones.
            let live: Bool = lock.withLock {
                for event in events { continuation.yield(event) }
                if running { listeners[id] = continuation }
                return running
            }
            if !live { continuation.finish() }
        }
    }

    private struct Cancelled: Error {}

    private func run(_ recipe: ModelRecipe, dataset: StudioDataset, name: String, file: URL,
                     onFinished: @Sendable (String, URL, ModelFile) -> Void) {
        let final: TrainingEvent
        do {
            let (model, summary) = try dataset.train(
                recipe, name: name,
                observer: TrainingObserver(
                    batchEnded: { [self] _ in
                        if lock.withLock({ cancelled }) { throw Cancelled() }
                    },
                    epochEnded: { [self] end in
                        let templates = end.network.templatePictures(classNames: dataset.data.classNames, limit: Self.templatesPerEpoch)
                        send(TrainingEvent(kind: .epoch, sequence: 0, record: end.record, templates: templates))
                    }))
            try model.write(to: file)
            onFinished(name, file, model)
            final = TrainingEvent(kind: .finished, sequence: 0, model: name, summary: summary)
        } catch is Cancelled {
            final = TrainingEvent(kind: .cancelled, sequence: 0, message: "no model was written")
        } catch {
            final = TrainingEvent(kind: .failed, sequence: 0, message: FileProblem.message(error))
        }
        send(final)
        let (semaphore, ended): (DispatchSemaphore, [AsyncStream<TrainingEvent>.Continuation]) = lock.withLock {
            running = false
            defer { listeners = [:] }
            return (finished, Array(listeners.values))
        }
        // Outside the lock: finishing a stream calls its onTermination, which takes the lock.
        for listener in ended { listener.finish() }
        semaphore.signal()
    }

    /// Numbers the event, keeps it and hands it to every listener.
    private func send(_ event: TrainingEvent) {
        lock.withLock {
            var numbered = event
            numbered.sequence = events.count
            events.append(numbered)
            for listener in listeners.values { listener.yield(numbered) }
        }
    }
}
