import Foundation
import LensServer
import Testing

/// Pages, unknown routes, the Host check and the upload cap, against the live server.
@Suite struct PageAndGuardTests {
    @Test func everyPageAndScriptIsServed() async throws {
        let http = try await TestServer.shared.value.http
        for (path, type, marker) in [("/", "text/html", "overview.js"), ("/templates", "text/html", "templates.js"),
                                     ("/explain", "text/html", "explain.js"), ("/train", "text/html", "train.js"),
                                     ("/static/common.js", "text/javascript", "lineChart"), ("/static/style.css", "text/css", "body")] {
            let answer = try await http.send("GET", path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.headers["content-type"]?.hasPrefix(type) == true, "\(path): \(answer.headers["content-type"] ?? "none")")
            #expect(answer.text.contains(marker), "\(path)")
        }
    }

    @Test func unknownRoutesAndPathTricksAre404() async throws {
        let http = try await TestServer.shared.value.http
        for path in ["/nope", "/api/nope", "/static/../Package.swift", "/static/%2e%2e/ServerConfiguration.swift", "/static/index.html"] {
            let answer = try await http.send("GET", path)
            #expect(answer.status == 404, "\(path)")
            #expect(!answer.text.contains("import"), "\(path) leaked a file")
        }
        #expect(try await http.send("DELETE", "/api/models").status == 404)
        #expect(try await http.send("DELETE", "/api/models", bare: true).status == 403)
    }

    @Test func foreignHostHeadersAre403() async throws {
        let http = try await TestServer.shared.value.http
        for host in ["evil.example", "evil.example:\(http.port)", "127.0.0.1.evil.example", "localhost.evil", "[::2]:80", "10.0.0.1"] {
            let answer = try await http.send("GET", "/api/models", host: host)
            #expect(answer.status == 403, "Host: \(host)")
            #expect(answer.text.contains("localhost"), "Host: \(host): \(answer.text)")
        }
        #expect(try await http.send("GET", "/", host: nil).status == 403)
        for host in ["localhost", "localhost:\(http.port)", "127.0.0.1", "127.0.0.1:\(http.port)", "[::1]", "[::1]:\(http.port)", "LocalHost:1"] {
            #expect(try await http.send("GET", "/api/models", host: host).status == 200, "Host: \(host)")
        }
    }

    @Test func hostHeaderParsing() throws {
        let configuration = ServerConfiguration(host: "192.168.1.5")
        #expect(configuration.accepts(hostHeader: "192.168.1.5:8080"))
        #expect(configuration.accepts(hostHeader: "localhost"))
        #expect(!configuration.accepts(hostHeader: "192.168.1.6"))
        #expect(!configuration.accepts(hostHeader: "localhost:80:80"))
        #expect(!configuration.accepts(hostHeader: "localhost:http"))
        #expect(!configuration.accepts(hostHeader: "[::1"))
        #expect(!configuration.accepts(hostHeader: ""))
        #expect(ServerConfiguration(host: "::1").accepts(hostHeader: "[::1]:9"))
        // On every interface (--host 0.0.0.0 or ::, with --allow-remote), the machine's own addresses are
        // what browsers elsewhere send; names (a rebinding page's) and other addresses stay refused.
        let lan = try #require(MachineAddresses.current().subtracting(ServerConfiguration.loopbackNames).sorted().first,
                               "this machine has no address besides loopback")
        for everywhere in [ServerConfiguration(host: "0.0.0.0"), ServerConfiguration(host: "::")] {
            #expect(everywhere.accepts(hostHeader: lan + ":8080") && everywhere.accepts(hostHeader: lan), "\(everywhere.host) \(lan)")
            #expect(everywhere.accepts(hostHeader: "localhost:8080"))
            #expect(!everywhere.accepts(hostHeader: "evil.example:8080") && !everywhere.accepts(hostHeader: "203.0.113.9"))
        }
        #expect(!ServerConfiguration(host: "127.0.0.1").accepts(hostHeader: lan), "a loopback server answered \(lan)")
        #expect(ServerConfiguration.byteCount(ServerConfiguration.defaultMaxUploadText) == ServerConfiguration.defaultMaxUpload)
        #expect(ServerConfiguration.byteCount("10MiB") == 10 * 1024 * 1024)
        #expect(ServerConfiguration.byteCount("512 KiB") == 512 * 1024)
        #expect(ServerConfiguration.byteCount("2MB") == 2_000_000)
        #expect(ServerConfiguration.byteCount("1234") == 1234)
        #expect(ServerConfiguration.byteCount("ten") == nil)
        #expect(ServerConfiguration.byteCount("-5") == nil)
        #expect(ServerConfiguration.byteCount("99999999999999999GiB") == nil)
    }

    @Test func uploadsAboveTheCapAre413() async throws {
        let http = try await TestServer.shared.value.http
        let big = Data(repeating: 7, count: TestServer.maxUpload + 1)
        for path in ["/api/predict", "/api/explain", "/api/train"] {
            let announced = try await http.send("POST", path, body: big)
            #expect(announced.status == 413, "\(path) with Content-Length")
            let streamed = try await http.send("POST", path, body: big, chunked: true)
            #expect(streamed.status == 413, "\(path) chunked")
        }
        // At the cap exactly, the body is read (and then found not to be an image).
        let atCap = try await http.send("POST", "/api/predict", body: Data(repeating: 7, count: TestServer.maxUpload))
        #expect(atCap.status == 400)
    }
}
