import Foundation

/// A picture inside a figure (a PNG data URI). The API and the figure.json of `lens explain`
/// carry it whole; encoded with `PictureField.omitted` set in the encoder's userInfo (`lens explain
/// --json`, whose pictures are in its output folder) it becomes null, so the numbers stay readable.
@propertyWrapper
public struct PictureField: Codable, Sendable, Equatable {
    public var wrappedValue: String

    public init(wrappedValue: String) { self.wrappedValue = wrappedValue }

    /// The userInfo key that leaves pictures out.
    public static let omitted = CodingUserInfoKey(rawValue: "lens.omitPictures")!

    static func omits(_ encoder: Encoder) -> Bool { encoder.userInfo[omitted] as? Bool == true }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? "" : try container.decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if Self.omits(encoder) { try container.encodeNil() } else { try container.encode(wrappedValue) }
    }
}
