import Foundation

/// Writes files so that a reader sees either the old content or the new, never half of either:
/// the bytes go to a temporary file beside the target, are flushed, then renamed over it.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        try write([(data, url)])
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Writes several files as one step as far as a file system allows: every temporary file is
    /// written and flushed before the first rename, so a full disk or a failed write leaves all
    /// the targets as they were (a model is never kept beside a history that failed).
    public static func write(_ files: [(data: Data, url: URL)]) throws {
        var temporaries: [URL] = []
        defer { for temporary in temporaries { try? FileManager.default.removeItem(at: temporary) } }
        for (data, url) in files {
            temporaries.append(try writeTemporary(data, beside: url))
        }
        for (temporary, (_, url)) in zip(temporaries, files) where rename(temporary.path, url.path) != 0 {
            throw AtomicFileError.cannotWrite(url.path, reason: String(cString: strerror(errno)))
        }
        temporaries.removeAll()
    }

    private static func writeTemporary(_ data: Data, beside url: URL) throws -> URL {
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AtomicFileError.noSuchDirectory(directory.path)
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw AtomicFileError.cannotWrite(url.path, reason: "cannot create a file in \(directory.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
            return temporary
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw AtomicFileError.cannotWrite(url.path, reason: FileProblem.words(error))
        }
    }
}

public enum AtomicFileError: Error, CustomStringConvertible, Equatable {
    case noSuchDirectory(String)
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .noSuchDirectory(let path): "cannot write there: directory \(path) does not exist"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
