import Testing
@testable import LensCLI

/// `lens serve`'s flags: bad values are one-line errors naming the flag, before anything listens.
@Suite struct ServeArgumentTests {
    @Test func badFlagsNameTheFlagAndTheFix() throws {
        let cases: [([String], String)] = [
            (["serve", "--port", "70000"], "--port 70000 is out of range"),
            (["serve", "--port=-1"], "--port -1 is out of range"),
            (["serve", "--max-upload", "lots"], "--max-upload lots is not a size"),
            (["serve", "--max-upload", "0"], "--max-upload 0 is not a size above 0"),
            (["serve", "--host", ""], "--host is empty"),
            (["serve", "--data", "orl"], "--data needs --model"),
        ]
        for (arguments, expected) in cases {
            let message = try #require(parseFailure(arguments), "\(arguments) parsed")
            #expect(message.contains(expected), "\(arguments): \(message)")
        }
    }

    @Test func defaultsAreTheServersOwn() throws {
        let command = try parse(ServeCommand.self, ["serve"])
        #expect(command.host == "127.0.0.1" && command.port == 8080 && command.maxUpload == "10MiB" && command.model == nil)
        #expect(parseFailure(["serve", "--model", "m.safetensors", "--data", "orl", "--port", "0", "--max-upload", "512KiB"]) == nil)
    }
}
