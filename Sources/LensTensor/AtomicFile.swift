import Foundation

/// Writes files so that a reader sees either the old content or the new, never half of either:
/// the bytes go to a temporary file beside the target, are flushed, then renamed over it.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
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
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 {
                throw AtomicFileError.cannotWrite(url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? AtomicFileError { throw error }
            throw AtomicFileError.cannotWrite(url.path, reason: error.localizedDescription)
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
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
