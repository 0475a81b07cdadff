import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LensServer
import LensTestSupport
import Testing

/// `lens serve` from a copy of the executable alone, with the build folder out of reach: every
/// page and every file of Resources/web is served, byte for byte, from inside the executable.
@Suite struct CopiedServeTests {
    static let webFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/LensServer/Resources/web")

    /// Whether this machine lets a process hide a folder from its child with a private mount.
    static let canHideFolders: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["--mount", "--map-root-user", "true"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test func copiedExecutableServesEveryPageAndScript() async throws {
        let runner = try #require(Bundle.main.executableURL)
        let buildFolder = runner.deletingLastPathComponent()
        let built = buildFolder.appendingPathComponent("lens")
        try #require(FileManager.default.isExecutableFile(atPath: built.path), "no lens executable at \(built.path)")
        let scratch = try ScratchFolder()
        let copy = scratch.url.appendingPathComponent("lens")
        try FileManager.default.copyItem(at: built, to: copy)
        // Nothing in the executable names a resource bundle to look for.
        let bytes = try Data(contentsOf: copy)
        #expect(bytes.range(of: Data("LensServer.resources".utf8)) == nil, "the executable still names LensServer's resource bundle")

        // The served files are the files of Resources/web, every one.
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.webFolder.path).filter { !$0.hasPrefix(".") }.sorted()
        let served = StudioServer.servedPaths
        #expect(served.filter { $0.hasPrefix("/static/") }.map { String($0.dropFirst("/static/".count)) }.sorted() == onDisk)

        let process = Process()
        let models = scratch.url.appendingPathComponent("models").path
        if Self.canHideFolders {
            // The build folder replaced by an empty one for this process only.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            process.arguments = ["--mount", "--map-root-user", "sh", "-c", #"mount -t tmpfs none "$1" && exec "$2" serve --port 0 --models-dir "$3""#,
                                 "sh", buildFolder.path, copy.path, models]
        } else {
            // No private mounts here: the check above (no bundle named) is what shows there is no fallback.
            process.executableURL = copy
            process.arguments = ["serve", "--port", "0", "--models-dir", models]
        }
        process.currentDirectoryURL = scratch.url
        let log = scratch.url.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = process.standardError
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // lens's own line, or Hummingbird's "listening on 127.0.0.1:PORT" when that comes first.
        let announcedPort = { () -> Int? in
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return (text.range(of: "http://127.0.0.1:") ?? text.range(of: "listening on 127.0.0.1:"))
                .flatMap { Int(text[$0.upperBound...].prefix { $0.isNumber }) }
        }
        _ = try await Eventually.wait(upTo: .seconds(600)) { announcedPort() != nil || !process.isRunning }
        let port = announcedPort()
        let output = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let address = try #require(port, "the copy did not start serving: \(output())")
        for path in served {
            let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(address)\(path)")))
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(path)")
            if path.hasPrefix("/static/") {
                let file = Self.webFolder.appendingPathComponent(String(path.dropFirst("/static/".count)))
                #expect(body == (try Data(contentsOf: file)), "\(path) differs from \(file.path)")
            } else {
                #expect(String(decoding: body, as: UTF8.self).contains("<script src=\"/static/"), "\(path)")
            }
        }
        kill(process.processIdentifier, SIGTERM)
        _ = try await Eventually.wait(upTo: .seconds(120)) { !process.isRunning }
        #expect(!process.isRunning && process.terminationStatus == 128 + SIGTERM, "\(output())")
        #expect(!output().contains("resource bundle"), "\(output())")
    }
}
