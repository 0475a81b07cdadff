import Foundation
import LensStudio

/// Where human-readable progress goes: stderr, redrawn in place on a terminal, plain lines otherwise,
/// so that stdout stays clean for results and `--json`.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0

    static func status(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A one-line progress bar that redraws itself on a TTY; off a TTY, only the final line is printed.
    static func progress(_ fraction: Double, _ label: String, done: Bool = false) {
        if isInteractive {
            let width = 24
            let filled = Int((fraction.clamped(to: 0...1) * Double(width)).rounded())
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let text = "\r\u{1B}[2K\(bar) \(label)" + (done ? "\n" : "")
            FileHandle.standardError.write(Data(text.utf8))
        } else if done {
            status(label)
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

/// "850 ms", "12.3 s", "2 min 05 s" (the library's one format).
func formatDuration(_ seconds: Double) -> String { LectureRun.duration(seconds) }

/// `value` as one line of JSON on stdout, in the one style of every JSON answer (`StudioJSON`:
/// snake_case keys, sorted).
func printJSON<T: Encodable>(_ value: T) throws {
    print(try StudioJSON.text(value))
}
