import Foundation

/// Numbers on map legends and captions: three significant digits, no trailing noise.
public enum MapNumber {
    public static func format(_ value: Float) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e4 {
            var text = String(format: "%.3g", Double(value))
            if text.contains("e") { text = String(format: "%.0f", Double(value)) }
            return text.replacingOccurrences(of: "-", with: "−")
        }
        return String(format: "%.2e", Double(value)).replacingOccurrences(of: "-", with: "−")
    }
}
