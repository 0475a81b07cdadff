/// Where a training run is, after each batch.
public struct TrainingProgress: Sendable {
    /// The current epoch's figures so far (its validation accuracy once the epoch ends).
    public var record: EpochRecord
    public var batch: Int
    public var batches: Int
    /// The epochs planned.
    public var epochs: Int

    public init(record: EpochRecord, batch: Int, batches: Int, epochs: Int) {
        self.record = record
        self.batch = batch
        self.batches = batches
        self.epochs = epochs
    }

    public var epochEnded: Bool { batch == batches }
    /// The share of the planned training done, from 0 to 1.
    public var fraction: Double {
        let done = Double(record.epoch - 1) + Double(batch) / Double(max(batches, 1))
        return min(1, done / Double(max(epochs, 1)))
    }
}
