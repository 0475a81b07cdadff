import Foundation

/// Where the original photos come from: the web (`HTTPSource`) or a folder of earlier downloads (`FolderSource`).
public protocol OriginalSource: Sendable {
    /// The original's bytes, or the outcome and reason why there are none.
    func original(for row: FetchRow, folder: String) async -> Result<Data, SourceFailure>
}

public struct SourceFailure: Error, Equatable, Sendable {
    public var outcome: FetchOutcome
    public var reason: String
    public init(_ outcome: FetchOutcome, _ reason: String) {
        self.outcome = outcome
        self.reason = reason
    }
}
