import Foundation

/// Why stored JSON (a model's metadata, a history entry) does not decode, in words naming where:
/// "epochs[2] has no \"train_loss\"", never the value's dump or Swift's `DecodingError` text.
public enum DecodingProblem {
    public static func words(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return OneLine.escape(String(describing: error)) }
        switch decoding {
        case let .keyNotFound(key, context):
            return "\(place(context.codingPath, or: "it")) has no \"\(OneLine.escape(key.stringValue))\""
        case let .typeMismatch(type, context):
            return "\(place(context.codingPath, or: "the value")) is not \(kind(type))"
        case let .valueNotFound(type, context):
            return "\(place(context.codingPath, or: "the value")) is missing (null where \(kind(type)) belongs)"
        case let .dataCorrupted(context):
            let reason = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            return context.codingPath.isEmpty ? "it is not valid JSON (\(OneLine.escape(reason)))"
                : "\(place(context.codingPath, or: "")): \(OneLine.escape(reason))"
        @unknown default:
            return OneLine.escape(String(describing: error))
        }
    }

    /// `epochs[2].train_loss` from a coding path.
    private static func place(_ path: [CodingKey], or whole: String) -> String {
        guard !path.isEmpty else { return whole }
        return path.enumerated().map { offset, key in
            key.intValue.map { "[\($0)]" } ?? (offset == 0 ? "" : ".") + OneLine.escape(key.stringValue)
        }.joined()
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type, is Float.Type, is UInt64.Type: "a number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
