import Foundation
import LensTensor

/// One photo the list asks for: where it is, whose it is, where the face is, what its bytes hash to.
public struct FetchRow: Sendable, Equatable {
    /// The line of the list it came from (1 = the first line), named in the manifest and in errors.
    public var line: Int
    public var url: String
    public var label: String
    /// FaceScrub's face id: the output file's name when it is a plain token, else the line number.
    public var faceID: String?
    public var box: FaceBox?
    /// Lowercase hex SHA-256 of the original file's bytes.
    public var sha256: String?

    public init(line: Int, url: String, label: String, faceID: String? = nil, box: FaceBox? = nil, sha256: String? = nil) {
        self.line = line
        self.url = url
        self.label = label
        self.faceID = faceID
        self.box = box
        self.sha256 = sha256
    }

    /// The output file's name without `.png`: the face id if it is short and made of letters,
    /// digits, `-` and `_` (so it cannot name another folder), else `row<line>`.
    public var stem: String {
        if let faceID, !faceID.isEmpty, faceID.count <= 64,
           faceID.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }) {
            return faceID
        }
        return "row\(line)"
    }
}

/// The face's box in the original photo, in pixels: columns x1..<x2, rows y1..<y2.
public struct FaceBox: Sendable, Equatable, Codable {
    public var x1: Int, y1: Int, x2: Int, y2: Int

    public init(x1: Int, y1: Int, x2: Int, y2: Int) {
        (self.x1, self.y1, self.x2, self.y2) = (x1, y1, x2, y2)
    }

    /// From four numbers as lists write them: "x1,y1,x2,y2" (FaceScrub) or four CSV fields.
    init?(_ fields: [Substring]) {
        let numbers = fields.map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 4, numbers.allSatisfy({ $0 != nil && $0!.isFinite && abs($0!) < 1e9 }) else { return nil }
        let values = numbers.map { Int($0!.rounded()) }
        guard values[2] > values[0], values[3] > values[1] else { return nil }
        self.init(x1: values[0], y1: values[1], x2: values[2], y2: values[3])
    }
}

/// Reads the two list formats:
/// - FaceScrub's tab-separated files (`facescrub_actors.txt`, `facescrub_actresses.txt`): the columns
///   name, image_id, face_id, url, bbox ("x1,y1,x2,y2"), sha256, with or without their header line;
/// - a CSV `url,label[,x1,y1,x2,y2][,sha256]`, fields optionally in double quotes, with or without a
///   header line starting `url,`.
/// Blank lines and lines starting with `#` are skipped.
public enum FetchList {
    public enum Format: String, Sendable, Codable { case faceScrub = "FaceScrub", csv = "CSV" }

    public static func read(contentsOf url: URL) throws -> (format: Format, rows: [FetchRow]) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FetchListError(line: nil, problem: "cannot read the list \(OneLine.escape(url.path)): \(FileProblem.words(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FetchListError(line: nil, problem: "the list \(OneLine.escape(url.path)) is not UTF-8 text")
        }
        return try parse(text)
    }

    public static func parse(_ text: String) throws -> (format: Format, rows: [FetchRow]) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let first = lines.first(where: { isContent($0) }) else {
            throw FetchListError(line: nil, problem: "the list has no rows")
        }
        let format: Format = first.contains("\t") ? .faceScrub : .csv
        var rows: [FetchRow] = []
        for (index, line) in lines.enumerated() where isContent(line) {
            let number = index + 1
            if rows.isEmpty, isHeader(line, format) { continue }
            rows.append(try format == .faceScrub ? faceScrubRow(line, number) : csvRow(line, number))
        }
        guard !rows.isEmpty else { throw FetchListError(line: nil, problem: "the list has a header and no rows") }
        return (format, rows)
    }

    private static func isContent(_ line: Substring) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return !trimmed.isEmpty && !trimmed.hasPrefix("#")
    }

    private static func isHeader(_ line: Substring, _ format: Format) -> Bool {
        let first = (format == .faceScrub ? line.split(separator: "\t").first : line.split(separator: ",").first)?
            .trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
        return format == .faceScrub ? first == "name" : first == "url"
    }

    private static func faceScrubRow(_ line: Substring, _ number: Int) throws -> FetchRow {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 5 || fields.count == 6 else {
            throw FetchListError(line: number, problem: "\(fields.count) tab-separated fields, but FaceScrub's lines have 6: name, image_id, face_id, url, bbox, sha256")
        }
        guard let box = FaceBox(fields[4].split(separator: ",", omittingEmptySubsequences: false)) else {
            throw FetchListError(line: number, problem: "bbox \(OneLine.escape(fields[4])) is not four numbers x1,y1,x2,y2 with x1 < x2 and y1 < y2")
        }
        return FetchRow(line: number, url: fields[3], label: fields[0], faceID: fields[2], box: box,
                        sha256: try checksum(fields.count == 6 ? fields[5] : "", number))
    }

    private static func csvRow(_ line: Substring, _ number: Int) throws -> FetchRow {
        guard let fields = CSVLine.fields(line) else {
            throw FetchListError(line: number, problem: "a quote is not closed")
        }
        let trimmed = fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var box: FaceBox?
        var sha: String?
        switch trimmed.count {
        case 2: break
        case 3: sha = try checksum(trimmed[2], number)
        case 6, 7:
            guard let parsed = FaceBox(trimmed[2...5].map { Substring($0) }) else {
                throw FetchListError(line: number, problem: "box \(OneLine.escape(trimmed[2...5].joined(separator: ","))) is not four numbers x1,y1,x2,y2 with x1 < x2 and y1 < y2")
            }
            box = parsed
            if trimmed.count == 7 { sha = try checksum(trimmed[6], number) }
        default:
            throw FetchListError(line: number, problem: "\(trimmed.count) fields, but a CSV line is url,label[,x1,y1,x2,y2][,sha256]")
        }
        return FetchRow(line: number, url: trimmed[0], label: trimmed[1], box: box, sha256: sha)
    }

    /// Empty means none; otherwise 64 hex digits, kept lowercase.
    private static func checksum(_ field: String, _ number: Int) throws -> String? {
        guard !field.isEmpty else { return nil }
        guard field.count == 64, field.allSatisfy(\.isHexDigit) else {
            throw FetchListError(line: number, problem: "sha256 \(OneLine.escape(String(field.prefix(80)))) is not 64 hex digits")
        }
        return field.lowercased()
    }
}

public struct FetchListError: Error, CustomStringConvertible, Equatable {
    public var line: Int?
    public var problem: String
    public var description: String { line.map { "line \($0) of the list: \(problem)" } ?? problem }
}
