import LensTensor
/// Why a dataset could not be loaded. Each description is one line naming the path and the problem.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case noSuchPath(String)
    case notAFolder(String)
    case cannotList(String, reason: String)
    case tooFewClasses(String, found: [String])
    case emptyClasses(String, classes: [String])
    case noDecodableImages(String, classes: [String], skipped: [SkippedFile])
    case skippedInStrictMode([SkippedFile])
    case missingFile(String, expected: String)
    case badIDX(String, problem: String)
    case damagedEmbeddedData(String, problem: String)
    case invalidSplit(String)
    case invalidPreprocessing(String)

    public var description: String {
        switch self {
        case .noSuchPath(let path):
            "\(path): no such file or folder"
        case .notAFolder(let path):
            "\(path): \(FileProblem.specialKind(atPath: path).map { "it is \($0), " } ?? "")not a folder (a dataset is a folder with one subfolder of images per class)"
        case .cannotList(let path, let reason):
            "\(path): cannot list the folder (\(reason))"
        case .tooFewClasses(let path, let found):
            "\(path): needs at least two class subfolders (one per class, images inside), found \(found.count)"
                + (found.isEmpty ? "" : ": \(found.joined(separator: ", "))")
        case .emptyClasses(let path, let classes):
            "\(path): class folder\(classes.count == 1 ? "" : "s") \(classes.joined(separator: ", ")) "
                + "contain\(classes.count == 1 ? "s" : "") no PNG, JPEG or PGM files"
        case .noDecodableImages(let path, let classes, let skipped):
            "\(path): no image could be decoded in class folder\(classes.count == 1 ? "" : "s") "
                + "\(classes.joined(separator: ", "))" + (skipped.first.map { " (first failure: \($0))" } ?? "")
        case .skippedInStrictMode(let skipped):
            "\(skipped.count) file\(skipped.count == 1 ? "" : "s") could not be used (strict mode): "
                + (skipped.first.map(\.description) ?? "") + (skipped.count > 1 ? " (and \(skipped.count - 1) more)" : "")
        case .missingFile(let path, let expected):
            "\(path): missing (expected \(expected))"
        case .badIDX(let path, let problem):
            "\(path): \(problem)"
        case .damagedEmbeddedData(let name, let problem):
            "\(name): \(problem) (the lens executable is damaged; build or install it again)"
        case .invalidSplit(let problem):
            "invalid split: \(problem)"
        case .invalidPreprocessing(let problem):
            "invalid preprocessing: \(problem)"
        }
    }
}

/// A file a dataset could not use, with the reason.
public struct SkippedFile: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
