import Foundation

/// Loads the datasets a user can name: the embedded ORL faces, Fashion-MNIST, or a class folder.
public enum DatasetLoader {
    /// Decodes and preprocesses a whole dataset. `preprocessing` nil means the source's default
    /// (ORL 64x64 gray, Fashion-MNIST its native 28x28 gray, a folder 64x64 gray). Files that cannot
    /// be decoded are listed in `skipped`; with `strict` any skipped file is an error instead.
    /// `limitPerClass` keeps the first N files of each class (Fashion-MNIST: N per class from train
    /// and ceil(N / 6) from test). Images over `maxPixels` pixels are skipped unread.
    public static func load(_ source: DatasetSource, preprocessing: Preprocessing?, strict: Bool = false,
                            limitPerClass: Int? = nil, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws -> LabeledImages {
        if let preprocessing {
            do { try preprocessing.validate() } catch let error as PreprocessingError {
                throw DatasetError.invalidPreprocessing(error.problem)
            }
        }
        if let limit = limitPerClass, limit < 1 {
            throw DatasetError.invalidPreprocessing("the limit per class must be at least 1, not \(limit)")
        }
        switch source {
        case .orl:
            return try ClassFolders.load(EmbeddedORL.listing(limitPerClass: limitPerClass), root: EmbeddedORL.name,
                                         preprocessing: preprocessing ?? defaultPreprocessing(for: source), strict: strict, maxPixels: maxPixels)
        case .folder(let url):
            return try ClassFolders.load(ClassFolders.list(url, limitPerClass: limitPerClass), root: url.path,
                                         preprocessing: preprocessing ?? defaultPreprocessing(for: source), strict: strict, maxPixels: maxPixels)
        case .fashionMNIST(let directory):
            return try FashionMNIST.load(directory: directory, preprocessing: preprocessing, limitPerClass: limitPerClass)
        }
    }

    public static func defaultPreprocessing(for source: DatasetSource) -> Preprocessing {
        switch source {
        case .orl, .folder: Preprocessing(size: 64, channels: 1)
        case .fashionMNIST: Preprocessing(size: 28, channels: 1)
        }
    }

    /// ORL 6/2/2 per person, anything else 70/15/15 per class (Fashion-MNIST has `predefinedSplit`).
    public static func defaultSplitPlan(for source: DatasetSource) -> SplitPlan {
        source == .orl ? .orl : .folder
    }

    /// Classes, counts, image sizes and skipped files, decoding every image but preprocessing none.
    public static func info(_ source: DatasetSource, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws -> DatasetInfo {
        switch source {
        case .orl: ClassFolders.info(try EmbeddedORL.listing(limitPerClass: nil), name: source.name, maxPixels: maxPixels)
        case .folder(let url): ClassFolders.info(try ClassFolders.list(url, limitPerClass: nil), name: source.name, maxPixels: maxPixels)
        case .fashionMNIST(let directory): try FashionMNIST.info(directory: directory)
        }
    }
}
