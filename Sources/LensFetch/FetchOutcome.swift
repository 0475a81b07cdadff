/// What became of one row of the list: the manifest's `outcome` column and the progress line's counts.
public enum FetchOutcome: String, Sendable, Codable, CaseIterable {
    /// Written to `<label>/<stem>.png` (this run, or verified from an earlier one).
    case saved
    /// No photo behind the link: 4xx, a 5xx after the retries, no such host, refused connection,
    /// a redirect loop or too many redirects (or, with `--from`, no original on disk).
    case deadLink = "dead-link"
    /// The bytes do not decode as PNG, JPEG or PGM/PPM: typically an HTML page saying the photo is gone.
    case notAnImage = "not-an-image"
    /// The bytes' SHA-256 is not the list's: the site now serves another picture.
    case checksumMismatch = "checksum-mismatch"
    /// Longer than `--max-bytes`, declared or counted.
    case tooLarge = "too-large"
    /// No complete answer within `--timeout`.
    case timedOut = "timed-out"
    /// The box lies outside the photo.
    case badBox = "bad-box"
    /// Never fetched: a label that cannot be a folder, a URL that is not http or https.
    case refused
    /// Never fetched, by choice: its class is not in `--classes`, or already has `--per-class` faces.
    case notNeeded = "not-needed"
    /// Never finished: the run was interrupted first; the next run tries it again.
    case interrupted

    /// The progress line's name for it.
    public var words: String {
        switch self {
        case .saved: "saved"
        case .deadLink: "dead link"
        case .notAnImage: "not an image"
        case .checksumMismatch: "checksum mismatch"
        case .tooLarge: "too large"
        case .timedOut: "timed out"
        case .badBox: "bad box"
        case .refused: "refused"
        case .notNeeded: "not needed"
        case .interrupted: "interrupted"
        }
    }
}

/// One row's outcome, as the manifest holds it.
public struct FetchResult: Sendable, Equatable, Codable {
    public var line: Int
    public var label: String
    /// Relative to `--out` ("Alec Baldwin/17.png"); empty when nothing was written.
    public var file: String
    public var outcome: FetchOutcome
    /// In words: "HTTP 404", "SHA-256 is 3f…, the list says 9a…", "kept from an earlier run".
    public var reason: String
    public var url: String

    public init(line: Int, label: String, file: String, outcome: FetchOutcome, reason: String, url: String) {
        self.line = line
        self.label = label
        self.file = file
        self.outcome = outcome
        self.reason = reason
        self.url = url
    }
}
