/// What a dataset holds, found without preprocessing it: classes, counts, image sizes, skipped files.
public struct DatasetInfo: Sendable, Equatable {
    public var name: String
    public var classNames: [String]
    /// Usable (decodable) images per class, in `classNames` order.
    public var countsPerClass: [Int]
    /// Each distinct size seen and how many images have it, most common first.
    public var imageSizes: [ImageShapeCount]
    public var skipped: [SkippedFile]

    public init(name: String, classNames: [String], countsPerClass: [Int], imageShapes: [ImageShape: Int], skipped: [SkippedFile]) {
        self.name = name
        self.classNames = classNames
        self.countsPerClass = countsPerClass
        self.imageSizes = imageShapes.map { ImageShapeCount(shape: $0.key, count: $0.value) }
            .sorted { ($1.count, $0.shape) < ($0.count, $1.shape) }
        self.skipped = skipped
    }

    public var imageCount: Int { countsPerClass.reduce(0, +) }
}

/// Width, height and channels of a decoded image.
public struct ImageShape: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var channels: Int

    public init(width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
    }

    public static func < (a: ImageShape, b: ImageShape) -> Bool {
        (a.width, a.height, a.channels) < (b.width, b.height, b.channels)
    }

    /// "92x112 gray", "640x480 RGB", "32x32 RGBA".
    public var description: String {
        "\(width)x\(height) " + (channels == 1 ? "gray" : channels == 3 ? "RGB" : channels == 4 ? "RGBA" : "\(channels)-channel")
    }
}

public struct ImageShapeCount: Sendable, Equatable {
    public var shape: ImageShape
    public var count: Int
}
