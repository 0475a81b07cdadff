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
        return Lens.userMessage(for: error)
    }
}

/// The error message of parsing (and validating) a command line, or nil when it parses.
func parseFailure(_ arguments: [String]) -> String? {
    failureMessage { _ = try Lens.parseAsRoot(arguments) }
}

/// The committed JPEG fixtures (written by Fixtures/make_fixtures.py with PIL).
enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}
