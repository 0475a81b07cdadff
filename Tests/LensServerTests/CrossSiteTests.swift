import Foundation
import LensData
import LensServer
import LensStudio
import Testing

/// A page on another site cannot start, cancel or change anything: every state-changing request
/// needs a JSON or image body type and this server's own origin (or none, as curl sends).
@Suite(.serialized) struct CrossSiteTests {
    static let job = Data(#"{"kind": "mlp", "hiddenUnits": 300, "epochs": 500}"#.utf8)

    /// A server of its own with the training data, so that a request that got through would start
    /// a job this test can see (the shared server's jobs belong to TrainingRouteTests).
    static let server = Task { () throws -> (RawHTTP, ModelLibrary, URL) in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-cross-site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let library = ModelLibrary(directory: folder)
        library.setTrainingData(try StudioDataset(source: .orl, preprocessing: DatasetLoader.defaultPreprocessing(for: .orl)))
        let port = try await TestServer.start(library: library, configuration: ServerConfiguration(port: 0))
        return (RawHTTP(port: port), library, folder)
    }

    /// The attacks a foreign page can make through the browser, and the words of each refusal.
    static func attacks(port: Int) -> [(what: String, headers: [String: String], reason: String)] {
        let own = "http://127.0.0.1:\(port)"
        return [
            ("fetch from another site", ["Origin": "https://evil.example", "Content-Type": "application/json"], "another site (Origin: https://evil.example)"),
            ("another loopback port", ["Origin": "http://127.0.0.1:\(port + 1)", "Content-Type": "application/json"], "another site"),
            ("localhost for 127.0.0.1", ["Origin": "http://localhost:\(port)", "Content-Type": "application/json"], "another site"),
            ("sandboxed page", ["Origin": "null", "Content-Type": "application/json"], "Origin: null"),
            ("text/plain no-cors fetch", ["Origin": "https://evil.example", "Content-Type": "text/plain"], "another site"),
            ("form POST", ["Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"], "another site"),
            ("referer only", ["Referer": "https://evil.example/page.html", "Content-Type": "application/json"], "Referer: https://evil.example/page.html"),
            ("referer prefix trick", ["Referer": "\(own).evil.example/", "Content-Type": "application/json"], "Referer"),
            ("cross-site fetch metadata", ["Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"], "Sec-Fetch-Site"),
            ("own origin, text/plain", ["Origin": own, "Content-Type": "text/plain"], "Content-Type text/plain is refused"),
            ("own origin, form", ["Origin": own, "Content-Type": "multipart/form-data; boundary=x"], "Content-Type multipart/form-data"),
            ("no body type", [:], "needs a Content-Type"),
            ("image/ alone", ["Content-Type": "image/"], "Content-Type image/ is refused"),
        ]
    }

    @Test func foreignPagesCannotStartOrCancelATrainingJob() async throws {
        let (http, library, folder) = try await Self.server.value
        for attack in Self.attacks(port: http.port) {
            for path in ["/api/train", "/api/train/cancel", "/api/predict", "/api/explain", "/api/nearest"] {
                let answer = try await http.send("POST", path, headers: attack.headers, body: Self.job, bare: true)
                #expect(answer.status == 403, "\(attack.what) \(path): \(answer.status) \(answer.text)")
                let reason = try answer.decode([String: String].self)["error"] ?? ""
                #expect(reason.contains(attack.reason), "\(attack.what) \(path): \(reason)")
            }
        }
        #expect(!library.runner.isRunning && library.runner.status.events.isEmpty, "a refused request started a job")

        // The same job from the app's own page starts; a foreign cancel leaves it running; the page's cancel stops it.
        let own = ["Origin": "http://127.0.0.1:\(http.port)", "Referer": "http://127.0.0.1:\(http.port)/train", "Content-Type": "application/json",
                   "Sec-Fetch-Site": "same-origin"]
        let started = try await http.send("POST", "/api/train", headers: own, body: Self.job)
        #expect(started.status == 202, "\(started.text)")
        let foreignCancel = try await http.send("POST", "/api/train/cancel", headers: ["Origin": "https://evil.example", "Content-Type": "application/json"])
        #expect(foreignCancel.status == 403 && library.runner.isRunning)
        let cancel = try await http.send("POST", "/api/train/cancel", headers: own)
        #expect(cancel.status == 200 && cancel.text.contains("true"), "\(cancel.text)")
        for _ in 0..<400 where library.runner.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!library.runner.isRunning && library.runner.status.events.last?.kind == .cancelled)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }.isEmpty)
    }

    /// Every route the router holds that is not a read, listed from the router itself, so that a
    /// route added later is covered without editing this test.
    @Test func everyStateChangingRouteRefusesEveryAttack() async throws {
        let (http, library, _) = try await Self.server.value
        let routes = try StudioServer.router(library: library, configuration: ServerConfiguration(port: 0)).routes
            .filter { ![.get, .head].contains($0.method) }
            .map { (method: $0.method.rawValue, path: "\($0.path)".hasPrefix("/") ? "\($0.path)" : "/\($0.path)") }
        #expect(routes.count >= 8, "\(routes)")
        for route in routes {
            for attack in Self.attacks(port: http.port) {
                let answer = try await http.send(route.method, route.path, headers: attack.headers, body: Self.job, bare: true)
                #expect(answer.status == 403, "\(attack.what) \(route.method) \(route.path): \(answer.status) \(answer.text)")
            }
        }
        #expect(!library.runner.isRunning, "a refused request started a job")
    }

    @Test func clientsThatAreNotBrowsersAndTheAppsOwnUploadsGetThrough() async throws {
        let http = try await TestServer.shared.value.http
        let face = try TestServer.faceFile()
        // curl: no Origin, no Referer; the page: its own origin, the file's image type.
        for headers in [["Content-Type": "image/x-portable-graymap"], ["Content-Type": "application/octet-stream"],
                        ["Origin": "http://127.0.0.1:\(http.port)", "Content-Type": "image/x-portable-graymap"],
                        ["Origin": "http://127.0.0.1:\(http.port)", "Content-Type": "image/png; charset=binary"],
                        ["Referer": "http://127.0.0.1:\(http.port)/explain?model=mlp", "Content-Type": "image/jpeg"]] {
            let answer = try await http.send("POST", "/api/predict?model=softmax", headers: headers, body: face)
            #expect(answer.status == 200, "\(headers): \(answer.text)")
        }
        // A Host of localhost: the page's origin is then http://localhost:PORT.
        let viaName = try await http.send("POST", "/api/predict?model=softmax", host: "localhost:\(http.port)",
                                          headers: ["Origin": "http://localhost:\(http.port)", "Content-Type": "image/png"], body: face)
        #expect(viaName.status == 200, "\(viaName.text)")
        // Reading is not guarded: another site's page cannot read the answer anyway (no CORS headers).
        let read = try await http.send("GET", "/api/models", headers: ["Origin": "https://evil.example"])
        #expect(read.status == 200 && read.headers["access-control-allow-origin"] == nil)
    }

    @Test func refusalsEscapeWhatTheyQuote() {
        let reason = SameOriginPolicy.refusal(method: "POST", authority: "127.0.0.1:1", origin: "https://a\u{1b}[2Jb.example",
                                              referer: nil, fetchSite: nil, contentType: "application/json")
        #expect(reason?.contains("\\u{1b}") == true && reason?.contains("\u{1b}") == false, "\(reason ?? "accepted")")
        #expect(SameOriginPolicy.refusal(method: "GET", authority: nil, origin: "null", referer: nil, fetchSite: "cross-site", contentType: nil) == nil)
        #expect(SameOriginPolicy.refusal(method: "POST", authority: "localhost", origin: "http://localhost:80", referer: nil,
                                         fetchSite: nil, contentType: "application/json") == nil)
        #expect(SameOriginPolicy.refusal(method: "delete", authority: "localhost:9", origin: nil, referer: nil, fetchSite: nil,
                                         contentType: "text/plain") != nil)
    }
}
