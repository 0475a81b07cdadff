import Foundation
import LensTestSupport
import Testing

/// `lens` copied alone out of its build folder (as people install it) still has the ORL faces:
/// they are compiled into the executable, not read from a resource bundle beside it.
@Suite struct CopiedBinaryTests {
    @Test func copiedExecutableReadsTheEmbeddedFaces() throws {
        // The test runner lives in the build folder beside the `lens` executable that the same build made.
        let runner = try #require(Bundle.main.executableURL)
        let built = runner.deletingLastPathComponent().appendingPathComponent("lens")
        try #require(FileManager.default.isExecutableFile(atPath: built.path),
                     "no lens executable at \(built.path): run `swift build --build-tests` first")
        let scratch = try ScratchFolder()
        let copy = scratch.url.appendingPathComponent("lens")
        try FileManager.default.copyItem(at: built, to: copy)

        let process = Process()
        process.executableURL = copy
        process.arguments = ["dataset", "info", "orl", "--json"]
        process.currentDirectoryURL = scratch.url
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(complaint)")
        let report = try #require(try JSONSerialization.jsonObject(with: printed) as? [String: Any], "\(complaint)")
        #expect(report["images"] as? Int == 400)
        #expect((report["classes"] as? [[String: Any]])?.count == 40)
        #expect((report["skipped"] as? [Any])?.isEmpty == true)
    }
}
