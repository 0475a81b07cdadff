import Foundation

/// A folder in the system's temporary directory, deleted when the test lets go of it: the one
/// scratch-folder helper of every test target.
public final class ScratchFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lens-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ relativePath: String) -> String { url.appendingPathComponent(relativePath).path }

    /// Creates `relativePath` (folders included) holding `contents`; returns its path.
    @discardableResult
    public func write(_ relativePath: String, _ contents: Data) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file)
        return file.path
    }

    @discardableResult
    public func makeFolder(_ relativePath: String) throws -> String {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relativePath), withIntermediateDirectories: true)
        return path(relativePath)
    }

    /// The names in `relativePath` (the folder itself by default), sorted.
    public func contents(_ relativePath: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(relativePath)).sorted()
    }
}
