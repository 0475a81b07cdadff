import ArgumentParser
import Foundation
@testable import LensCLI

/// Parses a `lens` command line exactly as the executable does (validation included) and returns
/// the subcommand, ready for its pure functions (`train()`, `evaluate()`, `predict()`) or `run()`.
func parse<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String]) throws -> Command {
    let parsed = try Lens.parseAsRoot(arguments)
    guard let command = parsed as? Command else {
        throw UnexpectedCommand(arguments: arguments, parsed: "\(Swift.type(of: parsed))")
    }
    return command
}

struct UnexpectedCommand: Error, CustomStringConvertible {
    var arguments: [String]
    var parsed: String
    var description: String { "`lens \(arguments.joined(separator: " "))` parsed as \(parsed)" }
}

/// The line the user would see on stderr for the error `body` throws, or nil when it succeeds.
func failureMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return Lens.message(for: error)
    }
}

/// The error message of parsing (and validating) a command line, or nil when it parses.
func parseFailure(_ arguments: [String]) -> String? {
    failureMessage { _ = try Lens.parseAsRoot(arguments) }
}

/// A folder in the system's temporary directory, deleted when the test lets go of it.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lens-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ relativePath: String) -> String { url.appendingPathComponent(relativePath).path }

    @discardableResult
    func write(_ relativePath: String, _ contents: Data) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file)
        return file.path
    }

    @discardableResult
    func makeFolder(_ relativePath: String) throws -> String {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relativePath), withIntermediateDirectories: true)
        return path(relativePath)
    }

    func contents(_ relativePath: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(relativePath)).sorted()
    }
}

/// The committed JPEG fixtures (written by Fixtures/make_fixtures.py with PIL).
enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}
