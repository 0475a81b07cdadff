import Foundation

/// Where a dataset comes from, as a user names it on the command line.
public enum DatasetSource: Sendable, Equatable {
    /// The ORL faces bundled with the package (40 people x 10 images).
    case orl
    /// Fashion-MNIST gzip IDX files in `directory`.
    case fashionMNIST(directory: URL)
    /// A folder with one subfolder per class.
    case folder(URL)

    public static let defaultFashionMNISTDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// "orl", "fashion-mnist", or a path. A path to a folder holding Fashion-MNIST's IDX files
    /// (train-images-idx3-ubyte[.gz]) is read as Fashion-MNIST; any other path as a class folder.
    public init(argument: String) {
        switch argument {
        case "orl": self = .orl
        case "fashion-mnist": self = .fashionMNIST(directory: Self.defaultFashionMNISTDirectory)
        default:
            let url = URL(fileURLWithPath: argument)
            let idx = FashionMNIST.Part.train.imagesFile
            let holdsIDX = [idx, idx + ".gz"].contains {
                FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path)
            }
            self = holdsIDX ? .fashionMNIST(directory: url) : .folder(url)
        }
    }

    /// "orl", "fashion-mnist" (from the default directory), or the path; `init(argument:)` reads it back.
    public var name: String {
        switch self {
        case .orl: "orl"
        case .fashionMNIST(let directory):
            directory.standardizedFileURL.path == Self.defaultFashionMNISTDirectory.path ? "fashion-mnist" : directory.path
        case .folder(let url): url.path
        }
    }
}
