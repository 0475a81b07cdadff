import Foundation
import LensTensor

/// `--from DIR`: the originals already on disk, so the same dataset is built offline. A row's
/// original is the first of
/// - `DIR/<label folder>/<face id or row>.<ext>` (ext: jpg, jpeg, png, pgm, ppm, in either case),
/// - `DIR/<label folder>/<the URL's file name>`,
/// - `DIR/<the URL's file name>`.
public struct FolderSource: OriginalSource {
    public var folder: URL
    public var maxBytes: Int
    static let extensions = ["jpg", "jpeg", "png", "pgm", "ppm", "JPG", "JPEG", "PNG"]

    public init(folder: URL, maxBytes: Int) {
        self.folder = folder
        self.maxBytes = maxBytes
    }

    func candidates(for row: FetchRow, folder labelFolder: String) -> [URL] {
        let classFolder = folder.appendingPathComponent(labelFolder, isDirectory: true)
        var urls = Self.extensions.map { classFolder.appendingPathComponent("\(row.stem).\($0)") }
        // Only a plain file name from the URL: never a path that climbs out of DIR.
        if let name = URL(string: row.url)?.lastPathComponent, !name.isEmpty, name != "/", name != ".", name != "..",
           !name.contains("/"), !name.contains("\0") {
            urls += [classFolder.appendingPathComponent(name), folder.appendingPathComponent(name)]
        }
        return urls
    }

    public func original(for row: FetchRow, folder labelFolder: String) async -> Result<Data, SourceFailure> {
        for url in candidates(for: row, folder: labelFolder) {
            var info = stat()
            guard stat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            guard Int(info.st_size) <= maxBytes else {
                return .failure(SourceFailure(.tooLarge, "\(OneLine.escape(url.path)) has \(info.st_size) bytes, more than the limit of \(maxBytes)"))
            }
            do {
                return .success(try Data(contentsOf: url))
            } catch {
                return .failure(SourceFailure(.deadLink, "cannot read \(OneLine.escape(url.path)): \(FileProblem.words(error))"))
            }
        }
        let first = folder.appendingPathComponent(labelFolder).appendingPathComponent(row.stem).path
        return .failure(SourceFailure(.deadLink, "no original on disk: none of \(OneLine.escape(first)).jpg (.jpeg, .png, .pgm, .ppm) or the URL's file name"))
    }
}
