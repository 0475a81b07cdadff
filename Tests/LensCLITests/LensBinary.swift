import Foundation
import Testing

/// The built `lens` executable, run as a user runs it: for what only a separate process shows
/// (exit codes, signals, stdout failures, files left behind after an interrupt).
enum LensBinary {
    /// SwiftPM puts the executable beside the test target's resource bundle.
    static var url: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("lens")
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// True when the process ended by a signal it did not handle (`status` is then the signal).
        var killedBySignal: Bool
    }

    /// A started `lens` process whose output goes to files (no pipe can fill up and stall it).
    final class Running {
        let process = Process()
        private let outURL: URL
        private let errURL: URL

        init(_ arguments: [String], in directory: URL, stdout: URL? = nil) throws {
            outURL = stdout ?? directory.appendingPathComponent(".lens-stdout-\(UUID().uuidString)")
            errURL = directory.appendingPathComponent(".lens-stderr-\(UUID().uuidString)")
            if stdout == nil { FileManager.default.createFile(atPath: outURL.path, contents: nil) }
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
            process.executableURL = LensBinary.url
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var stderrSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// Waits (at most `seconds`, then kills it and records an issue) and collects the outcome.
        func finish(within seconds: Double = 300) -> Outcome {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                Issue.record("lens \(process.arguments ?? []) still running after \(seconds) s; killed")
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            let outcome = Outcome(status: process.terminationStatus,
                                  stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                                  stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                                  killedBySignal: process.terminationReason == .uncaughtSignal)
            try? FileManager.default.removeItem(at: errURL)
            if outURL.lastPathComponent.hasPrefix(".lens-stdout-") { try? FileManager.default.removeItem(at: outURL) }
            return outcome
        }
    }

    /// Runs `lens arguments` in `directory` to the end.
    static func run(_ arguments: [String], in directory: URL, stdout: URL? = nil) throws -> Outcome {
        try Running(arguments, in: directory, stdout: stdout).finish()
    }
}
