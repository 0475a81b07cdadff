/// Minimal, safe HTML building: every piece of text goes through `escape`.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    public static func table(header: [String], rows: [[String]], numericColumns: Set<Int> = []) -> String {
        var html = "<table><thead><tr>"
        for (i, cell) in header.enumerated() { html += "<th\(numericColumns.contains(i) ? " class=num" : "")>\(escape(cell))</th>" }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for (i, cell) in row.enumerated() { html += "<td\(numericColumns.contains(i) ? " class=num" : "")>\(escape(cell))</td>" }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }
}
