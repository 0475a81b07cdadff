import Foundation
import LensData

/// How `lens dataset fetch` downloads and what it makes of each photo; every default and range is
/// here, read by the CLI's flags and checks and by the tests.
public struct FetchSettings: Sendable, Equatable {
    /// Downloads in flight at once.
    public var concurrency = 8
    public static let concurrencyRange = 1...64
    /// Seconds for one request, from connecting to the last byte.
    public var timeout = 30.0
    public static let timeoutRange = 0.05...600.0
    /// Further tries after a connection error or a 5xx answer, waiting `retryDelay`, then twice that, ...
    public var retries = 2
    public static let retriesRange = 0...10
    public var retryDelay = 0.5
    /// Redirects followed before a link counts as dead.
    public var maxRedirects = 5
    /// Bytes of one original photo, at most.
    public var maxBytes = 20_000_000
    public static let maxBytesRange = 1...2_000_000_000
    /// Only these labels (in the list's spelling), when given.
    public var classes: [String]? = nil
    /// At most this many saved faces per class: rows after that are not fetched.
    public var perClass: Int? = nil
    public var crop = FaceCrop()

    public init() {}

    /// `"A,B, C"` → ["A", "B", "C"] (labels with a comma cannot be chosen this way; they are rare in lists).
    public static func classList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
