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
        var url: URL
        /// How the item is named to the user: "orl/s1/1.pgm" for the bundled set, else the file path.
        var path: String
    }

    struct Listing {
        var classNames: [String]
        var items: [Item]
        /// Image files outside any class folder, and folders inside class folders.
        var skipped: [SkippedFile]
    }

    static func list(_ root: URL, displayPrefix: String?, limitPerClass: Int?) throws -> Listing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw DatasetError.noSuchPath(root.path)
        }
        guard isDirectory.boolValue else { throw DatasetError.notAFolder(root.path) }
        func display(_ components: String...) -> String {
            displayPrefix.map { ([$0] + components).joined(separator: "/") }
                ?? components.reduce(root) { $0.appendingPathComponent($1) }.path
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
            items += files.map { Item(classIndex: classIndex, url: folder.appendingPathComponent($0), path: display(className, $0)) }
        }
        guard emptyClasses.isEmpty else { throw DatasetError.emptyClasses(root.path, classes: emptyClasses) }
        return Listing(classNames: classNames, items: items, skipped: skipped)
    }

    static func load(_ root: URL, displayPrefix: String?, preprocessing: Preprocessing, strict: Bool,
                     limitPerClass: Int?) throws -> LabeledImages {
        let listing = try list(root, displayPrefix: displayPrefix, limitPerClass: limitPerClass)
        let outcomes = decodeAll(listing.items) { preprocessing.apply($0) }
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
        guard lost.isEmpty else { throw DatasetError.noDecodableImages(root.path, classes: lost, skipped: skipped) }
        return LabeledImages(images: Tensor.stack(tensors), labels: labels, classNames: listing.classNames,
                             paths: paths, skipped: skipped)
    }

    static func info(_ root: URL, displayPrefix: String?, name: String) throws -> DatasetInfo {
        let listing = try list(root, displayPrefix: displayPrefix, limitPerClass: nil)
        let outcomes = decodeAll(listing.items) { ImageShape(width: $0.width, height: $0.height, channels: $0.channels) }
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

    /// Decodes every item on all cores and hands each image to `transform` (which must be cheap to keep).
    private static func decodeAll<T: Sendable>(_ items: [Item], _ transform: @escaping @Sendable (Image) -> T)
        -> [Result<T, ImageDecodingError>] {
        parallelMap(items.count) { index in
            Result { try transform(ImageDecoder.decode(contentsOf: items[index].url)) }
                .mapError { $0 as? ImageDecodingError ?? ImageDecodingError(path: items[index].url.path, problem: "\($0)") }
        }
    }

    private static func visibleEntries(of folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw DatasetError.cannotList(folder.path, reason: FileManager.default.isReadableFile(atPath: folder.path)
                ? error.localizedDescription : "permission denied")
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
