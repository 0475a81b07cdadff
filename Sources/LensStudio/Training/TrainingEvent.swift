import LensModels

/// What a training job reports: one event as it starts, one per epoch, one at the end.
public struct TrainingEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case started, epoch, finished, cancelled, failed
    }

    public var kind: Kind
    /// Sequence number within the job, from 0.
    public var sequence: Int
    /// Epoch events: the epoch's record.
    public var record: EpochRecord?
    /// Epoch events: the first-layer templates after that epoch (PNG data URIs).
    public var templates: [String]?
    /// The epochs planned (started) and the model's name (finished).
    public var epochs: Int?
    public var model: String?
    /// Failed: why.
    public var message: String?
    /// Finished: what was trained, as `lens train --json` reports it.
    public var summary: TrainingSummary?

    public init(kind: Kind, sequence: Int, record: EpochRecord? = nil, templates: [String]? = nil,
                epochs: Int? = nil, model: String? = nil, message: String? = nil, summary: TrainingSummary? = nil) {
        self.kind = kind
        self.sequence = sequence
        self.record = record
        self.templates = templates
        self.epochs = epochs
        self.model = model
        self.message = message
        self.summary = summary
    }

    public var isFinal: Bool { kind == .finished || kind == .cancelled || kind == .failed }
}
