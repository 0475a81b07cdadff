import Foundation
import LensData
import LensRender

/// The files a command is about to write, checked before any work starts: each must be a regular
/// file or a new name, in a folder that takes a new file; none may lie inside an input folder or be
/// an input file; no two may be the same file. Finding this after an hour of training loses the hour.
enum OutputCheck {
    struct Output {
        var flag: String
        var path: String
    }

    struct Input {
        var flag: String
        var path: String
        /// A folder whose files are read (all of them may be inputs), rather than one file.
        var isFolder: Bool
    }

    /// The folder a dataset is read from, as an input no output may fall inside.
    static func inputs(of source: DatasetSource, flag: String = "--data") -> [Input] {
        switch source {
        case .folder(let url), .fashionMNIST(let url): [Input(flag: flag, path: url.path, isFolder: true)]
        case .orl: []
        }
    }

    static func check(_ outputs: [Output], inputs: [Input]) throws {
        var seen: [(output: Output, resolved: String, identity: FileIdentity?)] = []
        for output in outputs {
            let resolved = try check(output)
            let identity = FileIdentity(path: resolved)
            if let earlier = seen.first(where: { $0.resolved == resolved || (identity != nil && $0.identity == identity) }) {
                throw CLIError("\(output.flag) \(output.path) is the same file as \(earlier.output.flag) \(earlier.output.path); give each output its own name")
            }
            for input in inputs {
                guard let inputPath = realPath(input.path) else { continue }
                if input.isFolder ? resolved.hasPrefix(inputPath + "/") : (resolved == inputPath || (identity != nil && identity == FileIdentity(path: inputPath))) {
                    let role = input.isFolder ? "is inside the \(input.flag) folder \(input.path)" : "is the \(input.flag) file"
                    throw CLIError("\(output.flag) \(output.path) \(role): writing it would change what is read; write it elsewhere")
                }
            }
            seen.append((output, resolved, identity))
        }
    }

    /// A folder a command will fill (a report): not an existing file, not inside an input folder,
    /// and writable (tested in the folder, or in its nearest existing parent that it would be made in).
    static func checkFolder(_ output: Output, inputs: [Input]) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError("\(output.flag) \(output.path) is a file, not a folder; give a folder for the report")
        }
        var existing = URL(fileURLWithPath: output.path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" { existing.deleteLastPathComponent() }
        guard let resolved = realPath(existing.path) else { throw CLIError("\(output.flag) \(output.path): cannot resolve \(existing.path)") }
        for input in inputs where input.isFolder {
            guard let inputPath = realPath(input.path) else { continue }
            if resolved == inputPath || resolved.hasPrefix(inputPath + "/") {
                throw CLIError("\(output.flag) \(output.path) is inside the \(input.flag) folder \(input.path): writing it would change what is read; write it elsewhere")
            }
        }
        try probeWritable(existing.path, output)
    }

    /// The output's absolute path with symbolic links resolved, once it is known to be writable.
    private static func check(_ output: Output) throws -> String {
        let url = URL(fileURLWithPath: output.path)
        let folder = url.deletingLastPathComponent().path
        var info = stat()
        if stat(output.path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR {
                throw CLIError("\(output.flag) \(output.path) is a directory; give a file name such as \(output.path)/\(suggestedName(output.flag))")
            }
            guard kind == S_IFREG else {
                throw CLIError("\(output.flag) \(output.path) is \(describe(kind)), not a regular file; give a new file name or an existing regular file")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(output.flag) \(output.path): directory \(folder) does not exist")
        }
        try probeWritable(folder, output)
        guard let resolvedFolder = realPath(folder) else {
            throw CLIError("\(output.flag) \(output.path): cannot resolve directory \(folder)")
        }
        let name = url.lastPathComponent
        let joined = resolvedFolder == "/" ? "/" + name : resolvedFolder + "/" + name
        return realPath(joined) ?? joined
    }

    /// Creates and removes a file beside the output: the only test of writability that also sees
    /// read-only mounts, full disks of inodes and root's bypass of permission bits the same way the write will.
    private static func probeWritable(_ folder: String, _ output: Output) throws {
        let probe = folder + "/.lens-probe-\(UUID().uuidString)"
        // A Ctrl-C between creating and removing the probe must not leave it behind.
        try Interruption.shared.deferring {
            let descriptor = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            guard descriptor >= 0 else {
                throw CLIError("\(output.flag) \(output.path): cannot write in \(folder): \(String(cString: strerror(errno)))")
            }
            close(descriptor)
            unlink(probe)
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    private static func suggestedName(_ flag: String) -> String {
        flag == "--history-csv" ? "history.csv" : "model.safetensors"
    }
}

/// Device and inode: two names of one file (a hard link, a symbolic link) compare equal.
private struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

extension ReportWriter {
    /// The report folder a flag names; a refusal names the flag.
    init(flag: String, path: String) throws {
        do { try self.init(directory: URL(fileURLWithPath: path, isDirectory: true)) } catch let error as ReportError {
            throw CLIError("\(flag) \(error)")
        }
    }
}
