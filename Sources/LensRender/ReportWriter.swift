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
                throw ReportError("--out \(directory.path) is a file, not a directory; choose another path")
            }
        } else {
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw ReportError("cannot create report directory \(directory.path): \(error.localizedDescription)")
            }
        }
        self.directory = directory
    }

    public func write(_ data: Data, to relativePath: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
    }

    /// Writes every page with a shared navigation bar; the first page should be `index.html`.
    public func write(pages: [ReportPage]) throws {
        for page in pages {
            try write(Data(page.document(navigation: pages).utf8), to: page.fileName)
        }
    }
}

public struct ReportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
