import Foundation
import LensServer
import LensStudio
import Testing

/// Every error answer is one line of valid JSON whose message is one line too, whatever the names
/// it quotes hold: a model name and a request's own words, with a newline, a quote and a
/// backslash in each.
@Suite struct ErrorBodyTests {
    /// A model named as a file `we"ird<newline>name\x.safetensors` would name it.
    static let weirdName = "we\"ird\nname\\x"

    @Test func namesWithNewlinesQuotesAndBackslashesStayOneLineInValidJSON() async throws {
        let shared = try await TestServer.shared.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-error-body-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = ModelLibrary(directory: folder)
        // The library makes the name an id that needs no escaping anywhere.
        let id = library.add(try shared.library.entry("softmax").model, id: Self.weirdName)
        #expect(id == "we-ird-name-x")
        let http = RawHTTP(port: try await TestServer.start(library: library, configuration: ServerConfiguration(port: 0)))

        let asked = "no\"such\nmodel\\"
        let cases: [(path: String, status: Int, error: String, raw: String)] = [
            ("/api/overview?model=" + Self.query(asked), 404,
             #"no model "no"such\nmodel\"; the models are we-ird-name-x"#, #"no model \"no\"such\\nmodel\\\""#),
            ("/api/confusion-images?model=" + id + "&actual=" + Self.query("1\n\"2\"\\") + "&predicted=0", 400,
             #"actual=1\n"2"\ is not a whole number"#, #"actual=1\\n\"2\"\\ is not"#),
        ]
        for (path, status, error, raw) in cases {
            // The second case needs the model's evaluation first (409 while it runs).
            let answer = try await TestServer.settle(http, "GET", path) { $0.status == 409 }
            #expect(answer.status == status, "\(path): \(answer.status) \(answer.text)")
            #expect(!answer.body.contains(UInt8(ascii: "\n")) && !answer.body.contains(UInt8(ascii: "\r")), "\(path): \(answer.text)")
            #expect(answer.text.contains(raw), "\(path): \(answer.text)")
            let object = try #require(try answer.json() as? [String: String], "\(path): \(answer.text)")
            #expect(object == ["error": error], "\(path): \(object)")
        }
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
