import ArgumentParser
import Dispatch
import Foundation
import LensData
import LensFetch
import LensStudio
import LensTensor

/// `lens dataset fetch`: a thin adapter over `FetchRun` (LensFetch); the flags, their checks and the progress line.
struct DatasetFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Build a dataset from a list of image URLs: download, check, crop the face, shrink.",
        discussion: """
        The list is FaceScrub's tab-separated file (name, image_id, face_id, url, bbox, sha256) or a CSV url,label[,x1,y1,x2,y2][,sha256]. Each photo becomes OUT/<label>/<face id or row>.png, and OUT/manifest.csv says what became of every row. The same command again keeps what is there and retries the failures. See docs/datasets.md.

        Examples:
          lens dataset fetch --list facescrub_actors.txt --out faces --per-class 100
          lens dataset fetch --list a.txt --out faces --classes "Bill Hader,Jon Hamm"
          lens dataset fetch --list photos.csv --out photos --rgb --size 96
          lens dataset fetch --list list.txt --out faces32 --size 32 --from originals
        """)

    @Option(help: "The list: FaceScrub's .txt (tab-separated) or a CSV url,label[,x1,y1,x2,y2][,sha256].")
    var list: String

    @Option(help: "The dataset folder to make (or to complete, when an earlier fetch made it).")
    var out: String

    @Option(help: "Read the original photos from this folder instead of the web: <label>/<face id or row>.jpg (or .png, ...), or the URL's file name.")
    var from: String?

    @Option(help: "Only these labels, separated by commas, spelled as in the list.")
    var classes: String?

    @Option(help: "At most this many faces per class: later rows make up for dead links, the rest are not fetched.")
    var perClass: Int?

    @Option(help: "Side of the square faces, in pixels.")
    var size = FetchSettings().crop.size

    @Flag(help: "Keep colour (3 channels); faces are gray by default.")
    var rgb = false

    @Option(help: "Widen the box on each side by this fraction of its size (0.2 keeps some hair and chin).")
    var margin = FetchSettings().crop.margin

    @Option(help: "Downloads at once.")
    var concurrency = FetchSettings().concurrency

    @Option(help: "Seconds for one download, from connecting to the last byte.")
    var timeout = FetchSettings().timeout

    @Option(help: "Further tries after a connection error or a 5xx answer (with doubling waits).")
    var retries = FetchSettings().retries

    @Option(help: "Bytes of one original photo, at most.")
    var maxBytes = FetchSettings().maxBytes

    @Flag(help: "Print the summary and every row's outcome as JSON.")
    var json = false

    @OptionGroup var images: ImageOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        func check<T: Comparable>(_ flag: String, _ value: T, _ range: ClosedRange<T>, _ what: String) throws {
            guard range.contains(value) else {
                throw ValidationError("\(flag) \(value) is outside \(range.lowerBound)...\(range.upperBound): give \(what)")
            }
        }
        try check("--size", size, Preprocessing.sizeRange, "the side of the square faces in pixels (default 64)")
        try check("--margin", margin, FaceCrop.marginRange, "a fraction of the box (0.2 widens it by a fifth on each side)")
        try check("--concurrency", concurrency, FetchSettings.concurrencyRange, "how many downloads at once (default \(FetchSettings().concurrency))")
        try check("--timeout", timeout, FetchSettings.timeoutRange, "seconds per download (default \(Int(FetchSettings().timeout)))")
        try check("--retries", retries, FetchSettings.retriesRange, "how many further tries (default \(FetchSettings().retries))")
        try check("--max-bytes", maxBytes, FetchSettings.maxBytesRange, "the largest photo in bytes (default \(FetchSettings().maxBytes))")
        if let perClass, perClass < 1 { throw ValidationError("--per-class \(perClass) is invalid: give 1 or more faces per class") }
        if let classes, FetchSettings.classList(classes).isEmpty {
            throw ValidationError("--classes is empty: give labels of the list separated by commas, e.g. --classes \"Alec Baldwin,Steve Carell\"")
        }
        if margin.isNaN || timeout.isNaN { throw ValidationError("--margin and --timeout take numbers") }
    }

    var settings: FetchSettings {
        var settings = FetchSettings()
        settings.concurrency = concurrency
        settings.timeout = timeout
        settings.retries = retries
        settings.maxBytes = maxBytes
        settings.classes = classes.map(FetchSettings.classList)
        settings.perClass = perClass
        settings.crop = FaceCrop(size: size, channels: rgb ? 3 : 1, margin: margin, maxPixels: images.maxPixels)
        return settings
    }

    func run() throws {
        var inputs = [InputPath("--list", list)]
        if let from { inputs.append(InputPath("--from", from, isFolder: true)) }
        try output.check([OutputTarget("--out", out, .datasetFolder)], inputs: inputs)
        let rows: [FetchRow]
        do { rows = try FetchList.read(contentsOf: URL(fileURLWithPath: list)).rows } catch let error as FetchListError {
            throw CLIError("--list: \(error)")
        }
        if let from {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: from, isDirectory: &isFolder), isFolder.boolValue else {
                throw CLIError("--from \(OneLine.escape(from)) is not a folder: give the folder of original photos")
            }
        }
        let settings = settings
        let outURL = URL(fileURLWithPath: out, isDirectory: true)
        let fromURL = from.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let result = Box()
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let http: HTTPSource?, source: any OriginalSource
            if let fromURL {
                http = nil
                source = FolderSource(folder: fromURL, maxBytes: settings.maxBytes)
            } else {
                let client = HTTPSource(settings: settings)
                (http, source) = (client, client)
            }
            do {
                result.set(.success(try await FetchRun.run(rows, out: outURL, source: source, settings: settings) { progress in
                    Terminal.progress(Double(progress.finished) / Double(max(progress.total, 1)), progress.line)
                }))
            } catch {
                result.set(.failure(error))
            }
            await http?.shutdown()
            done.signal()
        }
        // Ctrl-C: downloads in flight are dropped, every finished face is kept, the manifest is written.
        let stopSignal = Box()
        Interruption.shared.route { number in stopSignal.set(signal: number); task.cancel() }
        done.wait()
        let summary: FetchRun.Summary
        switch result.value {
        case .success(let value): summary = value
        case .failure(let error as FetchRunError): throw CLIError("\(error.subject == .classes ? "--classes" : "--out"): \(error.problem)")
        case .failure(let error): throw error
        case nil: throw CLIError("lens dataset fetch stopped without a result")
        }
        Terminal.progress(1, Self.countsLine(summary), done: true)
        if json {
            try printJSON(summary)
        } else {
            for group in summary.classes { print("\(OneLine.escape(group.folder)): \(group.saved) faces") }
            print("manifest: \(OneLine.escape(summary.manifest))")
        }
        if summary.interrupted {
            let number = stopSignal.signal ?? SIGINT
            throw Interrupted(signal: number, message: "\(Interruption.name(number)): \(summary.count(.saved)) faces kept, "
                              + "\(summary.count(.interrupted)) rows left for the next run (the same command resumes)")
        }
    }

    static func countsLine(_ summary: FetchRun.Summary) -> String {
        FetchRun.Progress(finished: summary.results.count, total: summary.results.count,
                          counts: Dictionary(uniqueKeysWithValues: FetchOutcome.allCases.map { ($0, summary.count($0)) })).line
    }

    /// What the download task hands back to the command's thread.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Result<FetchRun.Summary, Error>?
        private var number: Int32?
        func set(_ value: Result<FetchRun.Summary, Error>) { lock.withLock { stored = value } }
        func set(signal value: Int32) { lock.withLock { number = value } }
        var value: Result<FetchRun.Summary, Error>? { lock.withLock { stored } }
        var signal: Int32? { lock.withLock { number } }
    }
}
