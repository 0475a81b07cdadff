import LensTensor

/// A whole dataset, decoded and preprocessed.
public struct LabeledImages: Sendable {
    /// [N, C, size, size], values in [0, 1].
    public var images: Tensor
    public var labels: [Int]
    public var classNames: [String]
    /// Where each item came from: "orl/s1/1.pgm", a file path, or "fashion-mnist/train/123".
    public var paths: [String]
    public var skipped: [SkippedFile]
    /// Fashion-MNIST's official train/test split (validation carved from train); nil elsewhere.
    public var predefinedSplit: DatasetSplit?

    public init(images: Tensor, labels: [Int], classNames: [String], paths: [String],
                skipped: [SkippedFile] = [], predefinedSplit: DatasetSplit? = nil) {
        precondition(images.rank == 4 && images.shape[0] == labels.count && labels.count == paths.count,
                     "images \(images.shape), \(labels.count) labels and \(paths.count) paths disagree")
        self.images = images
        self.labels = labels
        self.classNames = classNames
        self.paths = paths
        self.skipped = skipped
        self.predefinedSplit = predefinedSplit
    }

    public var count: Int { labels.count }

    /// The items at `indices`, in that order (without a predefined split).
    public func subset(_ indices: [Int]) -> LabeledImages {
        LabeledImages(images: images.gather(indices), labels: indices.map { labels[$0] }, classNames: classNames,
                      paths: indices.map { paths[$0] }, skipped: skipped)
    }

    /// Number of items of each class.
    public var countsPerClass: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[label] += 1 }
        return counts
    }
}
