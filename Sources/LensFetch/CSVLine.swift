import Foundation

/// The CSV of the lists and the manifest: comma-separated fields, a field in double quotes when it
/// holds a comma, a quote or a line break (a quote inside doubled), as Python's csv module writes.
enum CSVLine {
    /// The fields of one line; nil when a quoted field is not closed.
    static func fields(_ line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "," {
                fields.append(field)
                field = ""
                wasQuoted = false
            } else if character == "\"" && field.allSatisfy(\.isWhitespace) && !wasQuoted {
                field = ""
                quoted = true
                wasQuoted = true
            } else {
                field.append(character)
            }
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }

    /// One line (without its line break) of `fields`.
    static func format(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}
