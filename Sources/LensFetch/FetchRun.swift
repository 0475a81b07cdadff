import Foundation
import LensData
import LensTensor

/// `lens dataset fetch`'s work: every row of a list either becomes `<out>/<label folder>/<stem>.png`
/// or says in `manifest.csv` why not. A second run over the same `--out` keeps the faces that are
/// there and decode at the right size, and tries again every row that failed or was interrupted.
public enum FetchRun {
    /// What one run did; `results` has one entry per row, in the list's order.
    public struct Summary: Sendable, Codable, Equatable {
        public var results: [FetchResult]
        /// Outcome (its manifest name) → rows.
        public var counts: [String: Int]
        public var classes: [ClassCount]
        public var interrupted: Bool
        public var manifest: String

        public struct ClassCount: Sendable, Codable, Equatable {
            public var label: String
            public var folder: String
            public var saved: Int
        }

        public func count(_ outcome: FetchOutcome) -> Int { counts[outcome.rawValue] ?? 0 }
    }

    /// Rows finished so far, out of all, and how each ended.
    public struct Progress: Sendable, Equatable {
        public var finished: Int
        public var total: Int
        public var counts: [FetchOutcome: Int]

        public init(finished: Int, total: Int, counts: [FetchOutcome: Int]) {
            self.finished = finished
            self.total = total
            self.counts = counts
        }

        /// "40/120  saved 31 · dead link 6 · not an image 2 · checksum mismatch 0 · too large 0 · timed out 1".
        public var line: String {
            let shown: [FetchOutcome] = [.saved, .deadLink, .notAnImage, .checksumMismatch, .tooLarge, .timedOut]
            let others = counts.filter { !shown.contains($0.key) && $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
            return "\(finished)/\(total)  " + (shown.map { ($0, counts[$0] ?? 0) } + others.map { ($0.key, $0.value) })
                .map { "\($0.0.words) \($0.1)" }.joined(separator: " · ")
        }
    }

    public static func run(_ rows: [FetchRow], out: URL, source: any OriginalSource, settings: FetchSettings,
                           progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Summary {
        try checkClasses(settings.classes, rows)
        try makeFolder(out, parents: true)
        var plan = Plan(rows: rows, out: out, settings: settings)
        var counts = Dictionary(uniqueKeysWithValues: FetchOutcome.allCases.map { ($0, 0) })
        for result in plan.results.values { counts[result.outcome, default: 0] += 1 }
        let total = rows.count
        progress(Progress(finished: plan.results.count, total: total, counts: counts))

        // Waves: each takes, per class, as many pending rows as the class still needs, so that
        // dead links are made up by later rows without fetching more than --per-class asks.
        while !Task.isCancelled {
            let wave = plan.nextWave(perClass: settings.perClass)
            if wave.isEmpty { break }
            await forEach(wave, limit: settings.concurrency) { job in
                await process(job, source: source, settings: settings)
            } record: { job, result in
                plan.record(result, for: job)
                counts[result.outcome, default: 0] += 1
                progress(Progress(finished: plan.results.count, total: total, counts: counts))
            }
            // Rows of the wave never started: the run was stopped.
            for job in wave where plan.results[job.row.line] == nil {
                plan.record(FetchResult(line: job.row.line, label: job.row.label, file: "", outcome: .interrupted,
                                        reason: "the run stopped before this row", url: job.row.url), for: job)
                counts[.interrupted, default: 0] += 1
            }
        }
        let interrupted = Task.isCancelled
        plan.closePending(interrupted: interrupted, perClass: settings.perClass)
        let results = rows.compactMap { plan.results[$0.line] }
        try FetchManifest.write(results, into: out)
        var tally: [String: Int] = [:]
        for result in results { tally[result.outcome.rawValue, default: 0] += 1 }
        return Summary(results: results, counts: tally,
                       classes: plan.folderOrder.map { Summary.ClassCount(label: $0.label, folder: $0.folder, saved: plan.saved[$0.label] ?? 0) },
                       interrupted: interrupted, manifest: out.appendingPathComponent(FetchManifest.fileName).path)
    }

    /// A row that will be fetched: where its face goes.
    struct Job: Sendable {
        var row: FetchRow
        var folder: String
        var file: String
        var target: URL
    }

    static func process(_ job: Job, source: any OriginalSource, settings: FetchSettings) async -> FetchResult {
        func result(_ outcome: FetchOutcome, _ reason: String) -> FetchResult {
            FetchResult(line: job.row.line, label: job.row.label, file: outcome == .saved ? job.file : "", outcome: outcome, reason: reason, url: job.row.url)
        }
        let data: Data
        switch await source.original(for: job.row, folder: job.folder) {
        case .failure(let failure): return result(failure.outcome, failure.reason)
        case .success(let bytes): data = bytes
        }
        if let expected = job.row.sha256 {
            let actual = SHA256.hex(data)
            guard actual == expected else {
                return result(.checksumMismatch, "SHA-256 \(actual.prefix(12))…, the list says \(expected.prefix(12))…")
            }
        }
        let png: Data
        do {
            png = try settings.crop.png(from: data, box: job.row.box, name: job.row.url)
        } catch FaceCrop.Failure.notAnImage(let reason) {
            return result(.notAnImage, reason)
        } catch FaceCrop.Failure.badBox(let reason) {
            return result(.badBox, reason)
        } catch {
            return result(.notAnImage, "\(error)")
        }
        do {
            let folder = job.target.deletingLastPathComponent()
            try makeFolder(folder)
            try AtomicFile.write(png, to: job.target)
        } catch {
            return result(.refused, "cannot write the face: \(FileProblem.message(error))")
        }
        return result(.saved, "\(data.count) bytes" + (job.row.sha256 == nil ? "" : ", SHA-256 as listed"))
    }

    /// Runs `body` over `items` with at most `limit` at once; `record` sees each result on the caller's task.
    static func forEach<Item: Sendable, Output: Sendable>(_ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> Output,
                                                          record: (Item, Output) -> Void) async {
        await withTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            while next < min(limit, items.count) {
                let index = next, item = items[index]
                group.addTask { (index, await body(item)) }
                next += 1
            }
            while let finished = await group.next() {
                let (index, output) = finished
                record(items[index], output)
                if next < items.count && !Task.isCancelled {
                    let index = next, item = items[index]
                    group.addTask { (index, await body(item)) }
                    next += 1
                }
            }
        }
    }

    static func checkClasses(_ classes: [String]?, _ rows: [FetchRow]) throws {
        guard let classes else { return }
        guard !classes.isEmpty else { throw FetchRunError(.classes, "no classes given; name one or more labels of the list, separated by commas") }
        let labels = Set(rows.map(\.label))
        for name in classes where !labels.contains(name) {
            let close = labels.filter { $0.lowercased() == name.lowercased() || $0.lowercased().contains(name.lowercased()) }.sorted()
            let known = labels.sorted().prefix(6).map(OneLine.escape).joined(separator: ", ")
            throw FetchRunError(.classes, "no row of the list has the label \(OneLine.escape(name))"
                                + (close.isEmpty ? "; its labels include \(known)" : "; did you mean \(close.prefix(3).map(OneLine.escape).joined(separator: ", "))?"))
        }
    }

    /// Makes `folder` (one level; its parent exists); refuses a symbolic link or a file in its place,
    /// so that a link planted in `--out` cannot send faces elsewhere.
    static func makeFolder(_ folder: URL, parents: Bool = false) throws {
        var info = stat()
        if lstat(folder.path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw FetchRunError(.output, "\(OneLine.escape(folder.path)) exists and is not a folder (\(info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a file")); nothing is written through it")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: parents)
        } catch where lstat(folder.path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            return  // made meanwhile by another download of the same class
        } catch {
            throw FetchRunError(.output, "cannot make the folder \(OneLine.escape(folder.path)): \(FileProblem.words(error))")
        }
    }
}

public struct FetchRunError: Error, CustomStringConvertible, Equatable {
    /// What the user changes to fix it: the chosen classes, or the output folder.
    public enum Subject: Sendable, Equatable { case classes, output }
    public var subject: Subject
    public var problem: String
    public init(_ subject: Subject, _ problem: String) {
        self.subject = subject
        self.problem = problem
    }
    public var description: String { problem }
}
