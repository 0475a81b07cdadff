import Foundation
import LensData
import LensModels
import LensTensor

/// A dataset loaded for training or evaluation, with the split that holds out its test items.
struct PreparedData {
    var source: DatasetSource
    var data: LabeledImages
    var plan: SplitPlan
    var split: DatasetSplit

    func images(_ indices: [Int]) -> Tensor { data.images.gather(indices) }
    /// Which files under which class (see `LabeledImages.fingerprint`).
    var fingerprint: String { data.fingerprint(root: source.name) }
    func labels(_ indices: [Int]) -> [Int] { indices.map { data.labels[$0] } }
}

enum SplitChoice: String, CaseIterable {
    case train, validation, test, all
}

enum Workflow {
    static let sizeRange = 4...512

    static func preprocessing(for source: DatasetSource, size: Int?, rgb: Bool) throws -> Preprocessing {
        var preprocessing = DatasetLoader.defaultPreprocessing(for: source)
        if let size {
            guard sizeRange.contains(size) else {
                throw CLIError("--size \(size) is out of range: give an image side between \(sizeRange.lowerBound) and \(sizeRange.upperBound) pixels")
            }
            preprocessing.size = size
        }
        if rgb { preprocessing.channels = 3 }
        return preprocessing
    }

    /// Loads a dataset, tells the user which files were skipped and why, and splits it.
    static func prepare(_ argument: String, preprocessing: Preprocessing, plan: SplitPlan? = nil,
                        seed: UInt64 = 0, strict: Bool = false, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws -> PreparedData {
        if DatasetSource.shadowsBuiltIn(argument) {
            Terminal.status("\(argument): using the folder \(DatasetSource(argument: argument).name), not the built-in dataset of that name (a path that exists wins)")
        }
        return try prepare(DatasetSource(argument: argument), preprocessing: preprocessing, plan: plan, seed: seed, strict: strict, maxPixels: maxPixels)
    }

    static func prepare(_ source: DatasetSource, preprocessing: Preprocessing, plan: SplitPlan? = nil,
                        seed: UInt64 = 0, strict: Bool = false, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws -> PreparedData {
        let data = try DatasetLoader.load(source, preprocessing: preprocessing, strict: strict, maxPixels: maxPixels)
        for skipped in data.skipped { Terminal.status("skipped \(skipped)") }
        if !data.skipped.isEmpty {
            Terminal.status("\(data.skipped.count) file(s) skipped; --strict makes this an error")
        }
        var chosen = plan ?? (source == .orl ? SplitPlan.orl : SplitPlan.folder)
        if plan == nil { chosen.seed = seed }
        let split = data.predefinedSplit ?? chosen.split(labels: data.labels)
        let empty = [("validation", split.validation), ("test", split.test)].filter { $0.1.isEmpty }.map(\.0)
        if !empty.isEmpty {
            Terminal.status("warning: the \(empty.joined(separator: " and ")) split of \(source.name) is empty: \(data.labels.count) images in \(data.classNames.count) classes "
                            + "are too few to hold any out (give each class several images, e.g. 7 or more)")
        }
        return PreparedData(source: source, data: data, plan: chosen, split: split)
    }

    static func indices(_ choice: SplitChoice, of prepared: PreparedData) -> [Int] {
        switch choice {
        case .train: prepared.split.train
        case .validation: prepared.split.validation
        case .test: prepared.split.test
        case .all: Array(0..<prepared.data.labels.count)
        }
    }
}
