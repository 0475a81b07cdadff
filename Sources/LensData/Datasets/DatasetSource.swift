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
    /// A path that exists wins over a built-in name: a folder `orl` in the working directory is
    /// that folder (`shadowsBuiltIn` tells the caller to say so).
    public init(argument: String) {
        if Self.shadowsBuiltIn(argument) {
            self = .folder(URL(fileURLWithPath: argument))
            return
        }
        self.init(recorded: argument)
    }

    /// True when `argument` names a built-in dataset and also a file or folder that exists.
    public static func shadowsBuiltIn(_ argument: String) -> Bool {
        ["orl", "fashion-mnist"].contains(argument) && FileManager.default.fileExists(atPath: argument)
    }

    /// A dataset as a model file records it (`name`): built-in names always mean the built-in sets.
    public init(recorded argument: String) {
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

    /// True when the images are faces (the bundled ORL set), so a figure may speak of faces.
    public var holdsFaces: Bool { self == .orl }

    /// The credit a page showing these images owes their makers; nil for the user's own folder.
    public var credit: String? {
        switch self {
        case .orl: "Faces: ORL Database of Faces, AT&T Laboratories Cambridge."
        case .fashionMNIST: "Clothes: Fashion-MNIST, Zalando Research (MIT licence)."
        case .folder: nil
        }
    }

    /// The same facts for a dataset as a model file records it (`ModelProvenance.dataset`),
    /// without looking at the disk: only the built-in names are faces or owe a credit.
    public static func builtIn(recorded name: String) -> DatasetSource? {
        switch name {
        case "orl": .orl
        case "fashion-mnist": .fashionMNIST(directory: defaultFashionMNISTDirectory)
        default: nil
        }
    }
}
