import Foundation
import LensTensor

/// A label as one folder name inside `--out`: lists come from strangers, and a label such as
/// `../../x`, `/etc` or a name with a NUL must never choose where a file goes. The rule:
/// - `/` and `\` become `_`, so a label is always one path component (`AC/DC` → `AC_DC`);
/// - control characters (NUL, line breaks, ...) make the label refused: they are never a name;
/// - leading and trailing spaces and dots are dropped, so `..`, `.` and hidden names cannot come out;
/// - empty after that, or longer than 100 UTF-8 bytes (file systems stop at 255), is refused.
/// Two labels that become the same folder are refused by the run, not merged.
public enum SafeLabel {
    public static let maxBytes = 100

    /// The folder name for `label`, or why it has none.
    public static func folder(for label: String) -> Result<String, Refusal> {
        if label.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return .failure(Refusal(reason: "the label \(OneLine.escape(label)) holds a control character (NUL, tab or line break)"))
        }
        let flattened = String(label.map { $0 == "/" || $0 == "\\" ? "_" : $0 })
        let name = flattened.trimmingCharacters(in: CharacterSet(charactersIn: " .").union(.whitespaces))
        guard !name.isEmpty else {
            return .failure(Refusal(reason: "the label \(OneLine.escape(label)) has no letters to name a folder"))
        }
        guard name.utf8.count <= maxBytes else {
            return .failure(Refusal(reason: "the label \(OneLine.escape(String(label.prefix(40))))… is \(label.utf8.count) bytes long; a folder name takes at most \(maxBytes)"))
        }
        return .success(name)
    }

    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }
}
