import Foundation
import LensTensor

/// A folder with one subfolder of images per class. Class folders and files are sorted by the
/// bytes of their names (the same order on every machine); hidden entries are ignored, and so are
/// files without an image extension. A file with an image extension that cannot be decoded is
/// skipped with its reason.
enum ClassFolders {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "pgm", "ppm", "pnm"]

    struct Item: Sendable {
        var classIndex: Int
        var content: Content
        /// How the item is named to the user: "orl/s1/1.pgm" for the embedded set, else the file path.
        var path: String
    }

    /// Where an item's bytes are: a file, or already in memory (the embedded ORL faces).
    enum Content: Sendable {
        case file(URL)
        case bytes(Data)

        func read() throws -> Data {
            switch self {
            case .file(let url): try ImageDecoder.readFile(url)
            case .bytes(let data): data
            }
        }
    }

    struct Listing {
        var classNames: [String]
        var items: [Item]
        /// Image files outside any class folder, and folders inside class folders.
        var skipped: [SkippedFile]
    }

    static func list(_ root: URL, limitPerClass: Int?) throws -> Listing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw DatasetError.noSuchPath(root.path)
        }
        guard isDirectory.boolValue else { throw DatasetError.notAFolder(root.path) }
        func display(_ components: String...) -> String {
            components.reduce(root) { $0.appendingPathComponent($1) }.path
        }
        var classNames: [String] = [], skipped: [SkippedFile] = []
        for name in try visibleEntries(of: root) {
            if isFolder(root.appendingPathComponent(name)) {
                classNames.append(name)
            } else if hasImageExtension(name) {
                skipped.append(SkippedFile(path: display(name), reason: "image is not inside a class subfolder"))
            }
        }
        guard classNames.count >= 2 else { throw DatasetError.tooFewClasses(root.path, found: classNames) }
        var items: [Item] = [], emptyClasses: [String] = []
        for (classIndex, className) in classNames.enumerated() {
            let folder = root.appendingPathComponent(className)
            let entries = try visibleEntries(of: folder)
            // Only one level is read: say so for folders below it instead of passing them over in silence.
            for nested in entries where isFolder(folder.appendingPathComponent(nested)) {
                skipped.append(SkippedFile(path: display(className, nested),
                                           reason: "is a folder inside class folder \(className); only images directly in a class folder are read (move them up, or make it a class of its own)"))
            }
            var files = entries.filter(hasImageExtension)
            if files.isEmpty { emptyClasses.append(className) }
            if let limit = limitPerClass { files = Array(files.prefix(limit)) }
            items += files.map { Item(classIndex: classIndex, content: .file(folder.appendingPathComponent($0)), path: display(className, $0)) }
        }
        guard emptyClasses.isEmpty else { throw DatasetError.emptyClasses(root.path, classes: emptyClasses) }
        return Listing(classNames: classNames, items: items, skipped: skipped)
    }

    /// Files of `name/class/file` in archive order (classes and files sorted here as in a folder).
    static func list(archive files: [TarArchive.Entry], name: String, limitPerClass: Int?) -> Listing {
        var byClass: [String: [(file: String, contents: Data)]] = [:]
        for entry in files {
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 2, hasImageExtension(parts[1]) else { continue }
            byClass[parts[0], default: []].append((parts[1], entry.contents))
        }
        let classNames = byClass.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var items: [Item] = []
        for (classIndex, className) in classNames.enumerated() {
            var files = byClass[className, default: []].sorted { $0.file.utf8.lexicographicallyPrecedes($1.file.utf8) }
            if let limit = limitPerClass { files = Array(files.prefix(limit)) }
            items += files.map { Item(classIndex: classIndex, content: .bytes($0.contents), path: "\(name)/\(className)/\($0.file)") }
        }
        return Listing(classNames: classNames, items: items, skipped: [])
    }

    /// Decodes and preprocesses every item of `listing`; `root` names the dataset in errors.
    static func load(_ listing: Listing, root: String, preprocessing: Preprocessing, strict: Bool,
                     maxPixels: Int) throws -> LabeledImages {
        let outcomes = decodeAll(listing.items) { data, path in
            preprocessing.apply(try ImageDecoder.decode(data, path: path, maxPixels: maxPixels, minimumSide: preprocessing.size))
        }
        var tensors: [Tensor] = [], labels: [Int] = [], paths: [String] = []
        var skipped = listing.skipped
        for (item, outcome) in zip(listing.items, outcomes) {
            switch outcome {
            case .success(let tensor):
                tensors.append(tensor)
                labels.append(item.classIndex)
                paths.append(item.path)
            case .failure(let error):
                skipped.append(SkippedFile(path: item.path, reason: error.problem))
            }
        }
        if strict && !skipped.isEmpty { throw DatasetError.skippedInStrictMode(skipped) }
        let found = Set(labels)
        let lost = listing.classNames.indices.filter { !found.contains($0) }.map { listing.classNames[$0] }
        guard lost.isEmpty else { throw DatasetError.noDecodableImages(root, classes: lost, skipped: skipped) }
        return LabeledImages(images: Tensor.stack(tensors), labels: labels, classNames: listing.classNames,
                             paths: paths, skipped: skipped)
    }

    static func info(_ listing: Listing, name: String, maxPixels: Int) -> DatasetInfo {
        let outcomes = decodeAll(listing.items) { try ImageDecoder.shape($0, path: $1, maxPixels: maxPixels) }
        var counts = [Int](repeating: 0, count: listing.classNames.count)
        var shapes: [ImageShape: Int] = [:]
        var skipped = listing.skipped
        for (item, outcome) in zip(listing.items, outcomes) {
            switch outcome {
            case .success(let shape):
                counts[item.classIndex] += 1
                shapes[shape, default: 0] += 1
            case .failure(let error):
                skipped.append(SkippedFile(path: item.path, reason: error.problem))
            }
        }
        return DatasetInfo(name: name, classNames: listing.classNames, countsPerClass: counts, imageShapes: shapes, skipped: skipped)
    }

    /// Hands every item's bytes and path to `decode` on all cores (its result must be cheap to keep).
    private static func decodeAll<T: Sendable>(_ items: [Item], _ decode: @escaping @Sendable (Data, String) throws -> T)
        -> [Result<T, ImageDecodingError>] {
        parallelMap(items.count) { index in
            let item = items[index]
            return Result { try decode(try item.content.read(), item.path) }
                .mapError { $0 as? ImageDecodingError ?? ImageDecodingError(path: item.path, problem: "\($0)") }
        }
    }

    private static func visibleEntries(of folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            // Foundation reports listing a pipe or a device as "no permission"; say what it is.
            if let special = FileProblem.specialKind(atPath: folder.path) {
                throw DatasetError.cannotList(folder.path, reason: "it is \(special), not a folder")
            }
            throw DatasetError.cannotList(folder.path, reason: isFolder(folder) ? FileProblem.words(error) : "it is a file, not a folder")
        }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func hasImageExtension(_ name: String) -> Bool {
        imageExtensions.contains((name as NSString).pathExtension.lowercased())
    }
}
