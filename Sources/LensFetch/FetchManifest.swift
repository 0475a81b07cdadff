import Foundation
import LensTensor

/// `manifest.csv` in `--out`: one line per row of the list, in the list's order, with its outcome
/// and reason. Written atomically at the end of a run, interrupted or not.
public enum FetchManifest {
    public static let fileName = "manifest.csv"
    public static let header = "line,label,file,outcome,reason,url"

    public static func text(_ results: [FetchResult]) -> String {
        var lines = [header]
        for result in results.sorted(by: { $0.line < $1.line }) {
            lines.append(CSVLine.format([String(result.line), result.label, result.file, result.outcome.rawValue, result.reason, result.url]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ results: [FetchResult], into folder: URL) throws {
        try AtomicFile.write(text(results), to: folder.appendingPathComponent(fileName))
    }

    /// The manifest's rows (for tests and for a reader of an earlier run); lines that do not parse are left out.
    public static func read(_ url: URL) throws -> [FetchResult] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var results: [FetchResult] = []
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
            // A quoted field may hold a line break: join until the quotes balance.
            pending += pending.isEmpty ? String(line) : "\n" + String(line)
            guard let fields = CSVLine.fields(Substring(pending)) else { continue }
            pending = ""
            guard fields.count == 6, let number = Int(fields[0]), let outcome = FetchOutcome(rawValue: fields[3]) else { continue }
            results.append(FetchResult(line: number, label: fields[1], file: fields[2], outcome: outcome, reason: fields[4], url: fields[5]))
        }
        return results
    }
}
