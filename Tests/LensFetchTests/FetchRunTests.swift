import Foundation
import LensData
import LensTensor
import LensTestSupport
import Testing
@testable import LensFetch

/// Every outcome of a download, against the loopback `PhotoServer`, lands in the manifest.
@Suite struct FetchRunTests {
    /// Small size limits; a timeout long enough for fast links in a loaded test process (the whole suite
    /// shares two cores), and the slow link waits longer still.
    static func settings(timeout: Double = 60, maxBytes: Int = 200_000) -> FetchSettings {
        var settings = FetchSettings()
        settings.timeout = timeout
        settings.retryDelay = 0.01
        settings.maxBytes = maxBytes
        return settings
    }

    /// Runs on the test servers' own threads: the download tasks, starved on the cooperative pool by
    /// the suite's long synchronous tests, would leave bodies unread until the client's timeout.
    static func run(_ list: String, out: URL, settings: FetchSettings = settings(), source: (any OriginalSource)? = nil) async throws -> FetchRun.Summary {
        let rows = try FetchList.parse(list).rows
        return try await withTaskExecutorPreference(DedicatedExecutor.servers) {
            let http = HTTPSource(settings: settings)
            do {
                let summary = try await FetchRun.run(rows, out: out, source: source ?? (http as any OriginalSource), settings: settings)
                await http.shutdown()
                return summary
            } catch {
                await http.shutdown()
                throw error
            }
        }
    }

    /// Hidden files anywhere under `folder`: what an interrupted atomic write would leave.
    static func leftovers(_ folder: URL) -> [String] {
        (FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? [])
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
    }

    @Test func eachLinkEndsInItsOutcomeWithAReason() async throws {
        let server = try await PhotoServer.shared.value
        let scratch = try ScratchFolder()
        let out = scratch.url.appendingPathComponent("faces")
        let face = try PhotoServer.face(1, 1)
        let b = server.base
        let list = """
        url,label,sha256
        \(b)/face/1/1,alpha,\(SHA256.hex(face))
        \(b)/missing,alpha,
        \(b)/slow/1/2,alpha,
        \(b)/html,beta,
        \(b)/face/1/1,beta,\(String(repeating: "0", count: 64))
        \(b)/loop,beta,
        \(b)/big,gamma,
        \(b)/trickle,gamma,
        \(b)/png,gamma,
        \(b)/hop,gamma,
        \(b)/flaky/each,gamma,
        \(b)/down,gamma,
        ftp://127.0.0.1/x.jpg,gamma,
        """
        let summary = try await Self.run(list, out: out)
        let manifest = try FetchManifest.read(out.appendingPathComponent("manifest.csv"))
        #expect(manifest == summary.results)
        let byLine = Dictionary(uniqueKeysWithValues: manifest.map { ($0.line, $0) })
        let expected: [(Int, FetchOutcome, String)] = [
            (2, .saved, "SHA-256 as listed"), (3, .deadLink, "HTTP 404"), (4, .timedOut, "within"),
            (5, .notAnImage, "HTML page"), (6, .checksumMismatch, "the list says 000000000000"), (7, .deadLink, "loop"),
            (8, .tooLarge, "declares 300000 bytes"), (9, .tooLarge, "runs past the limit"), (10, .saved, "bytes"),
            (11, .saved, "bytes"), (12, .saved, "bytes"), (13, .deadLink, "HTTP 500"), (14, .refused, "only http and https"),
        ]
        for (line, outcome, reason) in expected {
            #expect(byLine[line]?.outcome == outcome, "line \(line): \(String(describing: byLine[line]))")
            #expect(byLine[line]?.reason.contains(reason) == true, "line \(line): \(byLine[line]?.reason ?? "")")
        }
        #expect(manifest.count == 13)
        // A 500 was asked 1 + retries times; the 503 once more than that and then answered.
        #expect(server.count(of: "down") == 3)
        #expect(summary.count(.saved) == 4 && summary.count(.tooLarge) == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("alpha").path) == ["row2.png"])
        let saved = try ImageDecoder.decode(contentsOf: out.appendingPathComponent("alpha/row2.png"))
        #expect(saved.width == 64 && saved.height == 64 && saved.channels == 1)
        // Nothing for the classes whose every link failed, and nothing half-written.
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("beta/row6.png").path))
        #expect(Self.leftovers(out).isEmpty)
    }

    @Test func aFaceScrubListOfSixActorsBecomesA64PixelDatasetWithPerClassCounts() async throws {
        let server = try await PhotoServer.shared.value
        let scratch = try ScratchFolder()
        let out = scratch.url.appendingPathComponent("faces")
        let actors = ["Fran Drescher", "America Ferrera", "Kristin Chenoweth", "Alec Baldwin", "Bill Hader", "Steve Carell", "Gerard Butler"]
        var lines = ["name\timage_id\tface_id\turl\tbbox\tsha256"]
        var faceID = 100
        for (person, actor) in actors.enumerated() {
            for image in 1...5 {
                faceID += 1
                // The second photo of each actor is a dead link, made up by the fourth.
                let url = image == 2 ? "\(server.base)/missing" : "\(server.base)/face/\(person + 1)/\(image)"
                let sha = SHA256.hex(try PhotoServer.face(person + 1, image))
                lines.append("\(actor)\t\(image)\t\(faceID)\t\(url)\t10,20,82,100\t\(sha)")
            }
        }
        var settings = Self.settings()
        settings.classes = Array(actors.prefix(6))
        settings.perClass = 3
        let summary = try await Self.run(lines.joined(separator: "\n"), out: out, settings: settings)
        #expect(summary.classes.map(\.label) == Array(actors.prefix(6)))
        #expect(summary.classes.allSatisfy { $0.saved == 3 })
        #expect(summary.count(.saved) == 18 && summary.count(.deadLink) == 6)
        // Gerard Butler's 5 rows, and each chosen actor's fifth photo (three saved by then).
        #expect(summary.count(.notNeeded) == 5 + 6)
        for (person, actor) in actors.prefix(6).enumerated() {
            let first = 101 + person * 5
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(actor).path).sorted()
                    == ["\(first).png", "\(first + 2).png", "\(first + 3).png"])
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("Gerard Butler").path))
        // The folder is a dataset lens reads: six classes of three 64x64 faces.
        let info = try DatasetLoader.info(.folder(out))
        #expect(info.classNames.count == 6 && info.countsPerClass == Array(repeating: 3, count: 6))
        #expect(info.imageSizes.map(\.shape) == [ImageShape(width: 64, height: 64, channels: 1)])
    }

    @Test func aSecondRunKeepsWhatIsThereAndRetriesWhatFailed() async throws {
        let server = try await PhotoServer.shared.value
        server.gateOpen.withLock { $0 = false }
        let scratch = try ScratchFolder()
        let out = scratch.url.appendingPathComponent("faces")
        let list = """
        \(server.base)/face/2/1?resume,a
        \(server.base)/gated/2/2,a
        \(server.base)/face/2/3?resume,b
        """
        let first = try await Self.run(list, out: out)
        #expect(first.results.map(\.outcome) == [.saved, .deadLink, .saved])
        let kept = try Data(contentsOf: out.appendingPathComponent("a/row1.png"))
        // A face damaged since is fetched again; a good one is kept as it is.
        try Data("not a png".utf8).write(to: out.appendingPathComponent("b/row3.png"))
        server.gateOpen.withLock { $0 = true }
        let before = (server.count(of: "/face/2/1?resume"), server.count(of: "/face/2/3?resume"))
        let second = try await Self.run(list, out: out)
        #expect(second.results.map(\.outcome) == [.saved, .saved, .saved])
        #expect(second.results[0].reason == "kept from an earlier run")
        #expect(second.results[1].reason != "kept from an earlier run" && second.results[2].reason != "kept from an earlier run")
        #expect(before == (1, 1))
        #expect(server.count(of: "/face/2/1?resume") == 1 && server.count(of: "/face/2/3?resume") == 2, "only the damaged face is downloaded again")
        #expect(try Data(contentsOf: out.appendingPathComponent("a/row1.png")) == kept)
        #expect(try ImageDecoder.decode(contentsOf: out.appendingPathComponent("b/row3.png")).width == 64)
    }

    @Test func aCancelledRunLeavesWholeFilesAndAManifestThenResumes() async throws {
        let server = try await PhotoServer.shared.value
        let scratch = try ScratchFolder()
        let out = scratch.url.appendingPathComponent("faces")
        // The slow links stay in flight until the run is cancelled, however late this task wakes.
        let hold = UUID().uuidString
        server.held.withLock { _ = $0.insert(hold) }
        var lines = (1...4).map { "\(server.base)/face/4/\($0),fast" }
        lines += (1...6).map { "\(server.base)/held/\(hold)/4/\($0),slow" }
        let list = lines.joined(separator: "\n")
        var settings = Self.settings(timeout: 900)
        settings.concurrency = 2
        let task = Task { try await Self.run(list, out: out, settings: settings) }
        // Stop once the fast faces are in, while slow ones are in flight.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("fast").path)) ?? []).filter({ $0.hasSuffix(".png") }).count < 4 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let summary = try await task.value
        #expect(summary.interrupted)
        #expect(summary.count(.saved) == 4, "\(summary.counts)")
        #expect(summary.count(.interrupted) == 6, "\(summary.counts)")
        #expect(Self.leftovers(out).isEmpty)
        let manifest = try FetchManifest.read(out.appendingPathComponent("manifest.csv"))
        #expect(manifest.filter { $0.outcome == .interrupted }.count == 6)
        server.held.withLock { _ = $0.remove(hold) }
        let resumed = try await Self.run(list, out: out, settings: settings)
        #expect(!resumed.interrupted && resumed.count(.saved) == 10)
        #expect(resumed.results.filter { $0.reason == "kept from an earlier run" }.count == 4)
    }

    @Test func fromAFolderOfOriginalsTheSameFacesAreMadeOffline() async throws {
        let server = try await PhotoServer.shared.value
        let scratch = try ScratchFolder()
        let list = """
        name\timage_id\tface_id\turl\tbbox\tsha256
        Alec Baldwin\t1\t7\t\(server.base)/face/6/1\t5,5,80,100\t
        Alec Baldwin\t2\t8\t\(server.base)/face/6/2\t5,5,80,100\t
        Steve Carell\t3\t9\t\(server.base)/face/7/1\t0,0,92,112\t
        Steve Carell\t4\t10\t\(server.base)/face/7/2\t0,0,92,112\t
        """
        var settings = Self.settings()
        settings.crop.margin = 0.1
        settings.crop.size = 32
        let online = try await Self.run(list, out: scratch.url.appendingPathComponent("online"), settings: settings)
        #expect(online.count(.saved) == 4)
        try scratch.write("originals/Alec Baldwin/7.pgm", try PhotoServer.face(6, 1))
        try scratch.write("originals/Alec Baldwin/2", try PhotoServer.face(6, 2))   // the URL's file name
        try scratch.write("originals/Steve Carell/9.jpg", try PhotoServer.face(7, 1)) // named by id, whatever the extension
        let source = FolderSource(folder: scratch.url.appendingPathComponent("originals"), maxBytes: settings.maxBytes)
        let offline = try await Self.run(list, out: scratch.url.appendingPathComponent("offline"), settings: settings, source: source)
        #expect(offline.results.map(\.outcome) == [.saved, .saved, .saved, .deadLink])
        #expect(offline.results[3].reason.hasPrefix("no original on disk"))
        for file in ["Alec Baldwin/7.png", "Alec Baldwin/8.png", "Steve Carell/9.png"] {
            #expect(try Data(contentsOf: scratch.url.appendingPathComponent("online/\(file)"))
                    == Data(contentsOf: scratch.url.appendingPathComponent("offline/\(file)")), "\(file)")
        }
    }

    @Test func labelsThatArePathsStayInsideOut() async throws {
        let server = try await PhotoServer.shared.value
        let scratch = try ScratchFolder()
        let out = scratch.url.appendingPathComponent("a/b/out")
        let long = String(repeating: "x", count: 300)
        let list = """
        \(server.base)/face/8/1,../../escaped
        \(server.base)/face/8/2,\(scratch.url.path)/absolute
        \(server.base)/face/8/3,"nul\u{0}byte"
        \(server.base)/face/8/4,\(long)
        \(server.base)/face/8/5,..
        \(server.base)/face/8/6,ALEC
        \(server.base)/face/8/7,alec
        """
        let summary = try await Self.run(list, out: out)
        let outcomes = summary.results.map(\.outcome)
        #expect(outcomes == [.saved, .saved, .refused, .refused, .refused, .saved, .refused], "\(summary.results)")
        #expect(summary.results[0].file == "_.._escaped/row1.png")
        #expect(summary.results[1].file.hasPrefix("_") && !summary.results[1].file.dropLast(9).contains("/"))
        #expect(summary.results[6].reason.contains("share the folder"))
        // Nothing outside out: the scratch folder holds only the path to it.
        #expect(try scratch.contents() == ["a"])
        #expect(try scratch.contents("a/b") == ["out"])
    }

    @Test func aSymbolicLinkInOutIsNotFollowed() async throws {
        let server = try await PhotoServer.shared.value
        let scratch = try ScratchFolder()
        let out = scratch.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try scratch.makeFolder("elsewhere")
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("cat").path, withDestinationPath: scratch.path("elsewhere"))
        let summary = try await Self.run("\(server.base)/face/9/1,cat\n", out: out)
        #expect(summary.results.map(\.outcome) == [.refused])
        #expect(summary.results[0].reason.contains("symbolic link"))
        #expect(try scratch.contents("elsewhere").isEmpty)
    }

    @Test func unknownClassesAreNamed() async throws {
        let scratch = try ScratchFolder()
        var settings = Self.settings()
        settings.classes = ["alec baldwin"]
        await #expect(throws: FetchRunError(.classes, "no row of the list has the label alec baldwin; did you mean Alec Baldwin?")) {
            try await Self.run("http://127.0.0.1:1/x,Alec Baldwin\n", out: scratch.url.appendingPathComponent("o"), settings: settings)
        }
    }
}

@Suite struct FaceCropTests {
    @Test func theBoxIsCutAndSquaredAndTheMarginWidensIt() throws {
        // The white 40x40 square at (40, 30) in the 120x100 picture.
        let tight = FaceCrop(size: 8, channels: 1)
        let inner = try ImageDecoder.decode(tight.png(from: PhotoServer.png, box: FaceBox(x1: 40, y1: 30, x2: 80, y2: 70), name: "p"), path: "p")
        #expect(inner.pixels.allSatisfy { $0 == 1 })
        let wide = FaceCrop(size: 8, channels: 3, margin: 0.5)
        #expect(wide.region(FaceBox(x1: 40, y1: 30, x2: 80, y2: 70), width: 120, height: 100).map { [$0.x, $0.y, $0.width, $0.height] } == [20, 10, 80, 80])
        let framed = try ImageDecoder.decode(wide.png(from: PhotoServer.png, box: FaceBox(x1: 40, y1: 30, x2: 80, y2: 70), name: "p"), path: "p")
        #expect(framed.channels == 3 && framed.width == 8)
        #expect(framed[x: 0, y: 0, channel: 0] == 0 && framed[x: 4, y: 4, channel: 0] == 1)
        // A tall box is squared on its longer side, around its centre.
        #expect(tight.region(FaceBox(x1: 50, y1: 10, x2: 70, y2: 90), width: 120, height: 100).map { [$0.x, $0.y, $0.width, $0.height] } == [20, 10, 80, 80])
    }

    @Test func aBoxOutsideThePhotoAndAnHTMLPageAreNamed() {
        #expect(throws: FaceCrop.Failure.badBox("the box 500,500,600,600 lies outside the 120x100 photo")) {
            try FaceCrop().png(from: PhotoServer.png, box: FaceBox(x1: 500, y1: 500, x2: 600, y2: 600), name: "p")
        }
        #expect(throws: FaceCrop.Failure.notAnImage("the answer is an HTML page, not a photo")) {
            try FaceCrop().png(from: Data("<html><body>gone</body></html>".utf8), box: nil, name: "p")
        }
    }
}
