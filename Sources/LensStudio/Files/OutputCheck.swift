import Foundation
import LensFetch
import LensModels
import LensRender
import LensTensor

/// The one check of every path a command or route writes, run before any work: finding after an
/// hour of training that the model cannot be written, or that it replaced the user's photo, loses
/// the hour or the photo. Each output must be
/// - named (not empty) and, for a file, not a name ending in `/`;
/// - a regular file, a folder where a folder is written, or a new name: never a device, pipe or socket;
/// - new, or what the command writes (a model over a model, a report over a report), unless forced;
/// - in a folder that exists (files) or can be made (folders), and that takes a new file;
/// - none of the command's inputs, nor inside an input folder, nor another output.
/// Messages name each path by its target's label (the CLI passes the flag).
public enum OutputCheck {
    /// `force` lets a file of another kind be replaced (`overrideFlag` names how to ask for it);
    /// `critical` runs the few system calls that create and remove a probe file, and a CLI passes
    /// a wrapper that holds Ctrl-C until the probe is gone.
    public static func check(_ outputs: [OutputTarget], inputs: [InputPath], force: Bool = false, overrideFlag: String? = nil,
                             critical: (() throws -> Void) throws -> Void = { try $0() }) throws {
        var seen: [(target: OutputTarget, resolved: String, identity: FileIdentity?)] = []
        for target in outputs {
            let resolved = try check(target, critical: critical)
            let identity = FileIdentity(path: resolved)
            if let earlier = seen.first(where: { $0.resolved == resolved || (identity != nil && $0.identity == identity) }) {
                throw refusal("\(name(target)) is the same file as \(name(earlier.target)); give each output its own name")
            }
            for input in inputs {
                guard let inputPath = realPath(input.path) else { continue }
                let inputIdentity = FileIdentity(path: inputPath)
                if resolved == inputPath || (identity != nil && identity == inputIdentity), input.replaceableBy != target.kind {
                    let what = input.isFolder ? "folder \(OneLine.escape(input.path))" : "file"
                    throw refusal("\(name(target)) is the \(input.label) \(what): writing it would change what is read; write it elsewhere")
                }
                if input.isFolder, resolved.hasPrefix(inputPath == "/" ? "/" : inputPath + "/") {
                    throw refusal("\(name(target)) is inside the \(input.label) folder \(OneLine.escape(input.path)): writing it would change what is read; write it elsewhere")
                }
            }
            seen.append((target, resolved, identity))
        }
        // Last, so that an input or a repeated output is named as such, with --force too.
        for target in outputs where !force {
            if let existing = replacementProblem(target, overrideFlag: overrideFlag) { throw refusal("\(name(target)) \(existing)") }
        }
    }

    // MARK: one output

    /// The output's absolute path with symbolic links resolved (for a path still to be made: its
    /// nearest existing folder's, resolved, with the rest appended).
    private static func check(_ target: OutputTarget, critical: (() throws -> Void) throws -> Void) throws -> String {
        let path = target.path
        guard !path.isEmpty else {
            throw refusal("\(target.label) is empty: give a \(target.kind.isFolder ? "folder" : "file") name such as \(target.kind.exampleName)")
        }
        if !target.kind.isFolder, path.hasSuffix("/") {
            throw refusal("\(name(target)) ends with /, so it names a folder; give a file name such as \(OneLine.escape(path))\(target.kind.exampleName)")
        }
        var info = stat()
        if stat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            switch (kind, target.kind.isFolder) {
            case (S_IFDIR, true), (S_IFREG, false):
                break
            case (S_IFDIR, false):
                throw refusal("\(name(target)) is a folder; give a file name such as \(OneLine.escape(path.hasSuffix("/") ? String(path.dropLast()) : path))/\(target.kind.exampleName)")
            case (S_IFREG, true):
                throw refusal("\(name(target)) is a file, not a folder; give a folder for the \(target.kind == .modelsFolder ? "models" : target.kind == .datasetFolder ? "dataset" : "report")")
            default:
                throw refusal("\(name(target)) is \(FileProblem.specialKind(atPath: path) ?? "a special file"), not a \(target.kind.isFolder ? "folder; give a new folder name" : "regular file; give a new file name or an existing regular file")")
            }
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if target.kind.isFolder {
            var existing = url
            while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" { existing.deleteLastPathComponent() }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw refusal("\(name(target)): cannot make the folder, because \(OneLine.escape(existing.path)) is a file, not a folder")
            }
            try probeWritable(existing.path, target, critical: critical)
            guard let resolvedExisting = realPath(existing.path) else {
                throw refusal("\(name(target)): cannot find \(OneLine.escape(existing.path))")
            }
            let rest = url.path.dropFirst(existing.path.count).drop { $0 == "/" }
            return rest.isEmpty ? resolvedExisting : (resolvedExisting == "/" ? "/" : resolvedExisting + "/") + rest
        }
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            let problem = FileManager.default.fileExists(atPath: folder) ? "is a file, not a folder" : "does not exist"
            throw refusal("\(name(target)): the folder \(OneLine.escape(folder)) \(problem)")
        }
        try probeWritable(folder, target, critical: critical)
        guard let resolvedFolder = realPath(folder) else { throw refusal("\(name(target)): cannot find the folder \(OneLine.escape(folder))") }
        let joined = (resolvedFolder == "/" ? "/" : resolvedFolder + "/") + url.lastPathComponent
        return realPath(joined) ?? joined
    }

    /// Whether the existing regular file at `path` is what `kind` writes, read from its first bytes.
    static func holds(_ kind: OutputTarget.Kind, _ path: String) -> Bool {
        switch kind {
        case .model: ModelFile.recognizes(fileAt: URL(fileURLWithPath: path))
        case .historyCSV: head(path, bytes: 4096).hasPrefix(TrainingHistory.csvHeader)
        case .reportFile: head(path, bytes: 65536).contains(ReportPage.signature)
        case .reportFolder, .modelsFolder, .datasetFolder: false
        }
    }

    /// Why what exists at the target may not be replaced by what the command writes (nil: it may,
    /// or nothing is there). Only this rule gives way to `force`.
    private static func replacementProblem(_ target: OutputTarget, overrideFlag: String?) -> String? {
        func orOverride(_ action: String) -> String { overrideFlag.map { ", or add \($0) to \(action)" } ?? "" }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return nil }
        switch target.kind {
        case .modelsFolder:
            return nil
        case .reportFolder:
            return strangerContent(ofFolder: target.path).map {
                "holds \($0), so it is not \(target.kind.what); give a new or empty folder\(orOverride("write into it"))"
            }
        case .datasetFolder:
            return strangerContent(ofDataset: target.path).map {
                "holds \($0), so it is not \(target.kind.what); give a new or empty folder\(orOverride("write into it"))"
            }
        case .model, .historyCSV, .reportFile:
            return holds(target.kind, target.path) ? nil
                : "exists and is not \(target.kind.what), so it will not be replaced; give a new name\(orOverride("replace it"))"
        }
    }

    /// What in an existing folder shows it is not a report folder (nil: empty, or an earlier report).
    private static func strangerContent(ofFolder path: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path), !names.isEmpty else { return nil }
        let index = (path as NSString).appendingPathComponent("index.html")
        if FileManager.default.fileExists(atPath: index) {
            return holds(.reportFile, index) ? nil : "an index.html that lens did not write"
        }
        return "\(names.count) \(names.count == 1 ? "file" : "files") and no report"
    }

    /// What in an existing folder shows it is not a fetched dataset (nil: empty, or one with lens's manifest).
    private static func strangerContent(ofDataset path: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path), !names.isEmpty else { return nil }
        let manifest = (path as NSString).appendingPathComponent(FetchManifest.fileName)
        if FileManager.default.fileExists(atPath: manifest) {
            return head(manifest, bytes: 256).hasPrefix(FetchManifest.header) ? nil : "a \(FetchManifest.fileName) that lens did not write"
        }
        return "\(names.count) \(names.count == 1 ? "file" : "files") and no \(FetchManifest.fileName)"
    }

    private static func head(_ path: String, bytes: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        return String(decoding: (try? handle.read(upToCount: bytes)) ?? Data(), as: UTF8.self)
    }

    /// Creates and removes a file in `folder`: the only test of writability that sees read-only
    /// mounts, exhausted inodes and root's bypass of permission bits as the real write will.
    private static func probeWritable(_ folder: String, _ target: OutputTarget, critical: (() throws -> Void) throws -> Void) throws {
        let probe = folder + "/.lens-probe-\(UUID().uuidString)"
        try critical {
            let descriptor = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            guard descriptor >= 0 else {
                throw refusal("\(name(target)): cannot write in \(OneLine.escape(folder)): \(FileProblem.words(errno: errno))")
            }
            close(descriptor)
            unlink(probe)
        }
    }

    private static func name(_ target: OutputTarget) -> String { "\(target.label) \(OneLine.escape(target.path))" }

    private static func refusal(_ message: String) -> StudioError { StudioError(.invalidInput, message) }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

}

/// Device and inode: two names of one file (a hard link, a symbolic link) compare equal.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
