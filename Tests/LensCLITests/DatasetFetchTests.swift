import Foundation
import LensData
import LensTestSupport
import Testing
@testable import LensCLI

/// `lens dataset fetch` as a user runs it: flags checked before any work, --from offline, and
/// SIGINT through the built binary.
@Suite struct DatasetFetchTests {
    @Test func flagsAreCheckedBeforeAnyWork() throws {
        let scratch = try ScratchFolder()
        try scratch.write("list.csv", Data("http://127.0.0.1:1/a.jpg,cat\n".utf8))
        try scratch.write("full/notes.txt", Data("mine".utf8))
        let list = scratch.path("list.csv")
        #expect(failureMessage { _ = try parse(DatasetFetchCommand.self, ["dataset", "fetch", "--list", list, "--out", scratch.path("o"), "--concurrency", "0"]) }
                == "--concurrency 0 is outside 1...64: give how many downloads at once (default 8)")
        #expect(failureMessage { _ = try parse(DatasetFetchCommand.self, ["dataset", "fetch", "--list", list, "--out", scratch.path("o"), "--classes", " , "]) }?
                .hasPrefix("--classes is empty") == true)
        let foreign = failureMessage { try parse(DatasetFetchCommand.self, ["dataset", "fetch", "--list", list, "--out", scratch.path("full")]).run() }
        #expect(foreign?.contains("--out \(scratch.path("full")) holds 1 file and no manifest.csv") == true, "\(foreign ?? "")")
        #expect(failureMessage { try parse(DatasetFetchCommand.self, ["dataset", "fetch", "--list", scratch.path("none.csv"), "--out", scratch.path("o")]).run() }?
                .hasPrefix("--list: cannot read the list") == true)
        let inside = failureMessage { try parse(DatasetFetchCommand.self, ["dataset", "fetch", "--list", list, "--out", scratch.path("full/out"), "--from", scratch.path("full")]).run() }
        #expect(inside?.contains("inside the --from folder") == true, "\(inside ?? "")")
        #expect(try scratch.contents("full") == ["notes.txt"])
        #expect(!FileManager.default.fileExists(atPath: scratch.path("o")))
    }

    @Test func fromAFolderTheBinaryBuildsTheDatasetAndItsManifest() throws {
        let scratch = try ScratchFolder()
        try scratch.write("originals/Bill Hader/1.pgm", EmbeddedORL.file("s11/1.pgm"))
        try scratch.write("originals/Bill Hader/2.pgm", EmbeddedORL.file("s11/2.pgm"))
        try scratch.write("originals/Steve Carell/3.pgm", EmbeddedORL.file("s12/1.pgm"))
        try scratch.write("list.txt", Data("""
        name\timage_id\tface_id\turl\tbbox\tsha256
        Bill Hader\t1\t1\thttp://example.invalid/1.jpg\t0,0,92,112\t
        Bill Hader\t2\t2\thttp://example.invalid/2.jpg\t0,0,92,112\t
        Steve Carell\t3\t3\thttp://example.invalid/3.jpg\t0,0,92,112\t
        Steve Carell\t4\t4\thttp://example.invalid/4.jpg\t0,0,92,112\t

        """.utf8))
        let run = try LensBinary.Running(["dataset", "fetch", "--list", "list.txt", "--out", "faces", "--from", "originals", "--size", "32"], in: scratch.url)
        let outcome = run.finish(within: 300)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Bill Hader: 2 faces") && outcome.stdout.contains("Steve Carell: 1 faces"), "\(outcome.stdout)")
        #expect(outcome.stderr.contains("saved 3 · dead link 1"), "\(outcome.stderr)")
        let manifest = try String(contentsOfFile: scratch.path("faces/manifest.csv"), encoding: .utf8)
        #expect(manifest.hasPrefix("line,label,file,outcome,reason,url\n2,Bill Hader,Bill Hader/1.png,saved,"), "\(manifest)")
        #expect(manifest.contains("5,Steve Carell,,dead-link,\"no original on disk"))
        #expect(try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: scratch.path("faces/Bill Hader/2.png"))).width == 32)
    }

    @Test func sigintKeepsFinishedFacesWritesTheManifestAndTheSameCommandResumes() throws {
        let server = try SlowPhotoServer(delay: 0.4)
        let scratch = try ScratchFolder()
        let rows = (1...30).map { "http://127.0.0.1:\(server.port)/p\($0).pgm,\($0 % 2 == 0 ? "even" : "odd")" }
        try scratch.write("list.csv", Data(rows.joined(separator: "\n").utf8))
        let arguments = ["dataset", "fetch", "--list", "list.csv", "--out", "faces", "--concurrency", "2", "--size", "16"]
        let run = try LensBinary.Running(arguments, in: scratch.url)
        let deadline = Date().addingTimeInterval(30)
        func saved() -> Int {
            ["even", "odd"].reduce(0) { $0 + ((try? scratch.contents("faces/\($1)"))?.filter { $0.hasSuffix(".png") }.count ?? 0) }
        }
        while saved() < 3 && Date() < deadline && run.process.isRunning { usleep(50_000) }
        run.signal(SIGINT)
        let outcome = run.finish(within: 120)
        #expect(outcome.status == 130 && !outcome.killedBySignal, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("rows left for the next run"), "\(outcome.stderr)")
        let manifest = try String(contentsOfFile: scratch.path("faces/manifest.csv"), encoding: .utf8)
        let interrupted = manifest.components(separatedBy: ",interrupted,").count - 1
        #expect(interrupted > 0 && interrupted < 30, "\(manifest)")
        let hidden = (FileManager.default.enumerator(atPath: scratch.path("faces"))?.compactMap { $0 as? String } ?? [])
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
        #expect(hidden.isEmpty, "half-written files: \(hidden)")
        let before = saved()
        let resumed = try LensBinary.Running(arguments + ["--concurrency", "8"], in: scratch.url).finish(within: 300)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(saved() == 30)
        let kept = try String(contentsOfFile: scratch.path("faces/manifest.csv"), encoding: .utf8).components(separatedBy: "kept from an earlier run").count - 1
        #expect(kept == before)
    }
}
