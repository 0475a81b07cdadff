import LensServer
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
            (["serve", "--host", "0.0.0.0"], "--host 0.0.0.0 would let other machines use this app, which has no authentication"),
            (["serve", "--host", "192.168.1.5"], "give --allow-remote to do it anyway"),
        ]
        for (arguments, expected) in cases {
            let message = try #require(parseFailure(arguments), "\(arguments) parsed")
            #expect(message.contains(expected), "\(arguments): \(message)")
        }
    }

    @Test func serverFailuresNameTheFlag() {
        #expect(ServeCommand.message(for: ServerError(reason: .portInUse(8080))).description == "port 8080 is already in use; give another with --port")
        #expect(ServeCommand.message(for: ServerError(reason: .addressUnavailable("10.9.8.7"))).description.contains("--host 10.9.8.7 is not an address of this machine"))
    }

    @Test func defaultsAreTheServersOwn() throws {
        let command = try parse(ServeCommand.self, ["serve"])
        #expect(command.host == "127.0.0.1" && command.port == 8080 && command.maxUpload == "10MiB" && command.model == nil)
        #expect(parseFailure(["serve", "--model", "m.safetensors", "--data", "orl", "--port", "0", "--max-upload", "512KiB"]) == nil)
        for loopback in ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"] {
            #expect(parseFailure(["serve", "--host", loopback]) == nil, "\(loopback)")
        }
        #expect(parseFailure(["serve", "--host", "0.0.0.0", "--allow-remote"]) == nil)
    }
}
