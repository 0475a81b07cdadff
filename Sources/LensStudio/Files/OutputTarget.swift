import Foundation
import LensData

/// A path a command or route is about to write, with what it writes there (so that only the same
/// kind of file is replaced) and how messages name it: the CLI's flag ("--out"), or words for the
/// web app ("the models folder"). The library never names a flag itself.
public struct OutputTarget: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A model file (`.safetensors`): replaces only a NeuralLens model.
        case model
        /// Per-epoch history as CSV: replaces only such a CSV.
        case historyCSV
        /// A report written as one HTML file: replaces only a NeuralLens report.
        case reportFile
        /// A folder of pages and pictures: fills only a new or empty folder, or an earlier report's.
        case reportFolder
        /// A folder models are written into, one new file at a time.
        case modelsFolder
        /// A dataset `lens dataset fetch` builds: fills only a new or empty folder, or an earlier fetch's (with its manifest).
        case datasetFolder

        var isFolder: Bool { self == .reportFolder || self == .modelsFolder || self == .datasetFolder }

        /// A file name to suggest when a folder was given.
        var exampleName: String {
            switch self {
            case .model: "model.safetensors"
            case .historyCSV: "history.csv"
            case .reportFile: "report.html"
            case .reportFolder: "report"
            case .modelsFolder: "lens-models"
            case .datasetFolder: "faces"
            }
        }

        /// What an existing file must be to be replaced, in words.
        var what: String {
            switch self {
            case .model: "a NeuralLens model"
            case .historyCSV: "a training history CSV"
            case .reportFile: "a NeuralLens report"
            case .reportFolder: "a NeuralLens report folder"
            case .modelsFolder: "a folder"
            case .datasetFolder: "a dataset lens fetched"
            }
        }
    }

    public var label: String
    public var path: String
    public var kind: Kind

    public init(_ label: String, _ path: String, _ kind: Kind) {
        self.label = label
        self.path = path
        self.kind = kind
    }
}

/// A file or folder a command reads, which none of its outputs may be or lie inside.
public struct InputPath: Sendable {
    public var label: String
    public var path: String
    /// A folder whose files are read (any of them may be an input), rather than one file.
    public var isFolder: Bool
    /// The kind of output that may replace this file in place, read whole before anything is
    /// written (`train --resume m --out m` continues a checkpoint); nil: none may.
    public var replaceableBy: OutputTarget.Kind?

    public init(_ label: String, _ path: String, isFolder: Bool = false, replaceableBy: OutputTarget.Kind? = nil) {
        self.label = label
        self.path = path
        self.isFolder = isFolder
        self.replaceableBy = replaceableBy
    }

    /// The folder a dataset is read from (none for the built-in faces).
    public static func data(_ source: DatasetSource, label: String) -> [InputPath] {
        switch source {
        case .folder(let url), .fashionMNIST(let url): [InputPath(label, url.path, isFolder: true)]
        case .orl: []
        }
    }
}
