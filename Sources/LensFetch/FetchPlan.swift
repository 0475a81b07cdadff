import Foundation
import LensData
import LensTensor

extension FetchRun {
    /// The run's bookkeeping: which rows are settled (and how), which wait to be fetched, and each
    /// class's folder and count of saved faces.
    struct Plan {
        var results: [Int: FetchResult] = [:]
        /// Rows to fetch, per label, in the list's order.
        var pending: [String: [Job]] = [:]
        var saved: [String: Int] = [:]
        /// Labels in the order the list first names them, with their folders.
        var folderOrder: [(label: String, folder: String)] = []

        init(rows: [FetchRow], out: URL, settings: FetchSettings) {
            var folderOwner: [String: String] = [:]
            var folderOf: [String: String] = [:]
            var stems: [String: Set<String>] = [:]
            let chosen = settings.classes.map { Set($0) }
            var results: [Int: FetchResult] = [:]
            defer { self.results = results }
            for row in rows {
                func settle(_ outcome: FetchOutcome, _ reason: String, file: String = "") {
                    results[row.line] = FetchResult(line: row.line, label: row.label, file: file, outcome: outcome, reason: reason, url: row.url)
                }
                if let chosen, !chosen.contains(row.label) { settle(.notNeeded, "not one of the chosen classes"); continue }
                let folder: String
                if let known = folderOf[row.label] {
                    folder = known
                } else {
                    switch SafeLabel.folder(for: row.label) {
                    case .failure(let refusal): settle(.refused, refusal.reason); continue
                    case .success(let name):
                        // Folders compare without case: on macOS "Alec" and "alec" are one folder.
                        if let owner = folderOwner[name.lowercased()] {
                            settle(.refused, "the label would share the folder \(OneLine.escape(name)) with the label \(OneLine.escape(owner))")
                            continue
                        }
                        folderOwner[name.lowercased()] = row.label
                        folderOf[row.label] = name
                        folderOrder.append((row.label, name))
                        folder = name
                    }
                }
                // A face id used twice in one class: the later row is named by its line.
                var stem = row.stem
                if stems[folder, default: []].contains(stem) { stem = "row\(row.line)" }
                guard !stems[folder, default: []].contains(stem) else { settle(.refused, "another row already writes \(folder)/\(stem).png"); continue }
                stems[folder, default: []].insert(stem)
                let file = "\(folder)/\(stem).png"
                let target = out.appendingPathComponent(folder, isDirectory: true).appendingPathComponent("\(stem).png")
                if Self.holdsFace(target, crop: settings.crop) {
                    settle(.saved, "kept from an earlier run", file: file)
                    saved[row.label, default: 0] += 1
                } else {
                    pending[row.label, default: []].append(Job(row: row, folder: folder, file: file, target: target))
                }
            }
        }

        /// Per class, the next rows it still needs (all of them without a per-class limit).
        mutating func nextWave(perClass: Int?) -> [Job] {
            var wave: [Job] = []
            for (label, _) in folderOrder {
                let need = perClass.map { max(0, $0 - (saved[label] ?? 0)) } ?? Int.max
                let queue = pending[label] ?? []
                let taken = queue.prefix(need)
                wave += taken
                pending[label] = Array(queue.dropFirst(taken.count))
            }
            return wave.sorted { $0.row.line < $1.row.line }
        }

        mutating func record(_ result: FetchResult, for job: Job) {
            results[job.row.line] = result
            if result.outcome == .saved { saved[job.row.label, default: 0] += 1 }
        }

        /// Rows never fetched: not needed (their class is full), or interrupted.
        mutating func closePending(interrupted: Bool, perClass: Int?) {
            for (label, jobs) in pending {
                for job in jobs where results[job.row.line] == nil {
                    let reason = interrupted ? "the run stopped before this row"
                        : "the class already has its \(perClass.map(String.init) ?? "") faces"
                    results[job.row.line] = FetchResult(line: job.row.line, label: label, file: "", outcome: interrupted ? .interrupted : .notNeeded,
                                                        reason: reason, url: job.row.url)
                }
            }
            pending = [:]
        }

        /// A face from an earlier run: a regular file (not a link) that decodes at the run's size and channels.
        static func holdsFace(_ url: URL, crop: FaceCrop) -> Bool {
            var info = stat()
            guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                  let image = try? ImageDecoder.decode(contentsOf: url, maxPixels: crop.size * crop.size) else { return false }
            return image.width == crop.size && image.height == crop.size && image.channels == crop.channels
        }
    }
}
