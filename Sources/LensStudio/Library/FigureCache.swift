import Foundation
import LensTensor

/// Slow figures kept on disk between runs of the server, so that a restart does not spend tens of
/// seconds measuring a model again. Entries live in the user's cache folder
/// (`$XDG_CACHE_HOME/neurallens/figures`, else `~/.cache/neurallens/figures`), never beside the
/// user's files, each named by the SHA-256 of the model file and of the settings that change the
/// figure. The cache only ever saves time: an entry that is missing, unreadable, from another
/// version or for other settings is computed again and rewritten, and a folder that cannot be
/// written is left alone.
public struct FigureCache: Sendable {
    /// Bumped whenever a cached figure's meaning or layout changes: older entries then miss.
    static let version = 1
    static let format = "neurallens-figure-cache"

    /// Where entries go; nil keeps nothing.
    public let directory: URL?

    public init(directory: URL?) {
        self.directory = directory
    }

    /// No cache: every figure is computed.
    public static let none = FigureCache(directory: nil)

    /// The user's cache folder, as the XDG base-directory rules name it.
    public static func user(environment: [String: String] = ProcessInfo.processInfo.environment) -> FigureCache {
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg)
        } else if let home = environment["HOME"], !home.isEmpty {
            base = URL(fileURLWithPath: home).appendingPathComponent(".cache")
        } else {
            return .none
        }
        return FigureCache(directory: base.appendingPathComponent("neurallens/figures"))
    }

    /// What an entry holds besides the figure: enough to tell it belongs to this key.
    private struct Entry<Value: Codable>: Codable {
        var format: String
        var version: Int
        var kind: String
        var modelSHA256: String
        var settings: String
        var value: Value
    }

    /// The entry's file for `kind` of the model with checksum `model` under `settings`.
    func url(kind: String, model: String, settings: String) -> URL? {
        directory?.appendingPathComponent("\(kind)-\(SHA256.hex(Data("\(model)\n\(settings)".utf8))).json")
    }

    /// The figure `kind` of the model in `modelFile` under `settings`: read from the cache when an
    /// entry for exactly this file and these settings is there, else computed and written back.
    /// Without a model file (a model only in memory) it is simply computed.
    public func figure<Value: Codable>(_ kind: String, modelFile: URL?, settings: String,
                                       compute: () throws -> Value) throws -> Value {
        guard let modelFile, let checksum = SHA256.hex(fileAt: modelFile),
              let url = url(kind: kind, model: checksum, settings: settings) else { return try compute() }
        if let data = try? Data(contentsOf: url),
           let entry = try? JSONDecoder().decode(Entry<Value>.self, from: data),
           entry.format == Self.format, entry.version == Self.version, entry.kind == kind,
           entry.modelSHA256 == checksum, entry.settings == settings {
            return entry.value
        }
        let value = try compute()
        store(Entry(format: Self.format, version: Self.version, kind: kind, modelSHA256: checksum, settings: settings, value: value), at: url)
        return value
    }

    /// Best effort: a cache that cannot be written costs only the time to compute again.
    private func store<Value: Codable>(_ entry: Entry<Value>, at url: URL) {
        guard let data = try? JSONEncoder().encode(entry) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: url)
    }
}
