import Foundation
import LensTestSupport

/// Folders where writes fail as they do for users: read-only, and full. As root, permission bits
/// do not stop a write, so these are tmpfs mounts then (read-only, or a few kilobytes big).
final class ReadOnlyFolder {
    let path: String
    private let mounted: Bool

    init(in scratch: ScratchFolder, _ name: String) throws {
        path = try scratch.makeFolder(name)
        if geteuid() == 0 {
            try runTool("/bin/mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", path])
            mounted = true
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: path)
            mounted = false
        }
    }

    /// Makes the folder writable for a moment (to put an old file in it), then read-only again.
    func withWritable(_ body: () throws -> Void) throws {
        if mounted {
            try runTool("/bin/mount", ["-o", "remount,rw", path])
            defer { try? runTool("/bin/mount", ["-o", "remount,ro", path]) }
            try body()
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: path) }
            try body()
        }
    }

    deinit {
        if mounted { try? runTool("/bin/umount", [path]) }
        else { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }
}

/// A tmpfs of `kilobytes`: a disk that fills up. Needs root (mount); tests using it say so.
final class SmallDisk {
    let path: String

    init(in scratch: ScratchFolder, _ name: String, kilobytes: Int) throws {
        path = try scratch.makeFolder(name)
        try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
    }

    deinit { try? runTool("/bin/umount", [path]) }

    static var available: Bool { geteuid() == 0 }
}

struct ToolFailed: Error, CustomStringConvertible {
    var description: String
}

func runTool(_ tool: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailed(description: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
}
