import Foundation
import LensTensor

/// Writes a report folder: pages and images, each file atomically, into a directory it creates.
/// It refuses to write into a path that is an existing file, so nothing the user had is replaced.
public struct ReportWriter {
    public let directory: URL

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ReportError("\(OneLine.escape(directory.path)) is a file, not a folder; choose another path for the report")
            }
        } else {
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw ReportError("cannot make the report folder \(OneLine.escape(directory.path)): \(FileProblem.words(error))")
            }
        }
        self.directory = directory
    }

    public func write(_ data: Data, to relativePath: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        do { try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
            throw ReportError("cannot make the folder \(OneLine.escape(url.deletingLastPathComponent().path)): \(FileProblem.words(error))")
        }
        try AtomicFile.write(data, to: url)
    }

    /// Writes every page with a shared navigation bar; the first page should be `index.html`.
    /// `credit`: the images' makers, in every footer (`DatasetSource.credit`).
    public func write(pages: [ReportPage], credit: String?) throws {
        for page in pages {
            try write(Data(page.document(navigation: pages, credit: credit).utf8), to: page.fileName)
        }
    }
}

extension ReportWriter {
    /// Every page in one HTML document, each a section with an anchor, and the navigation bar
    /// pointing at those anchors: one file to mail.
    public static func writeSingleFile(pages: [ReportPage], to url: URL, credit: String?) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ReportError("\(OneLine.escape(url.path)) is a folder; give the HTML file to write")
        }
        guard let first = pages.first else { throw ReportError("no pages to write") }
        let sections = pages.map { page in
            ReportPage(fileName: "#" + page.anchor, title: page.title,
                       body: "<section id=\"\(page.anchor)\"><h1>\(HTML.escape(page.title))</h1>\(page.body)</section>",
                       navigationTitle: page.navigationTitle)
        }
        let whole = ReportPage(fileName: url.lastPathComponent, title: first.title, body: sections.map(\.body).joined())
        try AtomicFile.write(Data(whole.document(navigation: sections, showsTitle: false, credit: credit).utf8), to: url)
    }
}

public struct ReportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
