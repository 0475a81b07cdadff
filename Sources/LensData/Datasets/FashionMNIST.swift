import Dispatch
import Foundation
import LensTensor

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60000 training and 10000 test images of 28x28
/// gray clothing, 10 classes, as the four IDX files of the official distribution.
enum FashionMNIST {
    static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// Validation is this seeded, stratified share of the official training set.
    static let validationPlan = SplitPlan(seed: 0, trainFraction: 0.9, validationFraction: 0.1, testFraction: 0)

    enum Part: String, CaseIterable {
        case train, test
        private var prefix: String { self == .train ? "train" : "t10k" }
        var imagesFile: String { "\(prefix)-images-idx3-ubyte" }
        var labelsFile: String { "\(prefix)-labels-idx1-ubyte" }
    }

    /// One official part: raw pixel bytes (from `pixelOffset` on) and labels.
    struct RawPart {
        var count: Int
        var rows: Int
        var columns: Int
        var pixels: [UInt8]
        var pixelOffset: Int
        var labels: [Int]
    }

    static func readPart(_ part: Part, in directory: URL) throws -> RawPart {
        let images = try IDXFile(contentsOf: try locate(part.imagesFile, in: directory), magic: IDXFile.imagesMagic)
        let labelsURL = try locate(part.labelsFile, in: directory)
        let labels = try IDXFile(contentsOf: labelsURL, magic: IDXFile.labelsMagic)
        let (count, rows, columns) = (images.dimensions[0], images.dimensions[1], images.dimensions[2])
        guard labels.dimensions[0] == count else {
            throw DatasetError.badIDX(labelsURL.path, problem: "has \(labels.dimensions[0]) labels for \(count) images")
        }
        guard rows > 0, columns > 0 else {
            throw DatasetError.badIDX(directory.appendingPathComponent(part.imagesFile).path, problem: "images are \(rows)x\(columns)")
        }
        let labelValues = labels.bytes[labels.dataOffset...].map(Int.init)
        if let bad = labelValues.firstIndex(where: { $0 >= classNames.count }) {
            throw DatasetError.badIDX(labelsURL.path, problem: "label \(labelValues[bad]) of item \(bad) is not a class 0...9")
        }
        return RawPart(count: count, rows: rows, columns: columns, pixels: images.bytes, pixelOffset: images.dataOffset,
                       labels: labelValues)
    }

    /// The gzip file, or failing that the uncompressed one.
    private static func locate(_ name: String, in directory: URL) throws -> URL {
        for candidate in [name + ".gz", name] {
            let url = directory.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DatasetError.missingFile(directory.appendingPathComponent(name + ".gz").path,
                                       expected: "Fashion-MNIST's \(name).gz; on Debian/Ubuntu: apt-get install dataset-fashion-mnist")
    }

    private static func checkDirectory(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw DatasetError.noSuchPath(directory.path)
        }
        guard isDirectory.boolValue else { throw DatasetError.notAFolder(directory.path) }
    }

    /// Train items first, then test, in file order. `limitPerClass` keeps the first N of each class
    /// from train and the first ceil(N / 6) from test (the official 6:1 ratio).
    static func load(directory: URL, preprocessing: Preprocessing?, limitPerClass: Int?) throws -> LabeledImages {
        try checkDirectory(directory)
        let parts = try Part.allCases.map { try readPart($0, in: directory) }
        let (rows, columns) = (parts[0].rows, parts[0].columns)
        guard parts[1].rows == rows, parts[1].columns == columns else {
            throw DatasetError.badIDX(directory.path, problem: "train images are \(rows)x\(columns) but test images \(parts[1].rows)x\(parts[1].columns)")
        }
        let preprocessing = preprocessing ?? Preprocessing(size: min(rows, columns), channels: 1)
        let selections = zip(Part.allCases, parts).map { part, raw in
            select(raw.labels, limitPerClass: limitPerClass.map { part == .train ? $0 : max(1, ($0 + 5) / 6) })
        }
        let itemSize = preprocessing.inputShape.reduce(1, *)
        let total = selections.map(\.count).reduce(0, +)
        // One allocation for everything, filled in place: this tensor is large (220 MB at 28x28).
        let images = [Float](unsafeUninitializedCapacity: total * itemSize) { buffer, initialized in
            var start = 0
            for (raw, selected) in zip(parts, selections) {
                convert(raw, selected: selected, preprocessing: preprocessing,
                        into: UnsafeMutableBufferPointer(rebasing: buffer[(start * itemSize)...]))
                start += selected.count
            }
            initialized = total * itemSize
        }
        var labels: [Int] = [], paths: [String] = []
        for (part, (raw, selected)) in zip(Part.allCases, zip(parts, selections)) {
            labels += selected.map { raw.labels[$0] }
            paths += selected.map { "fashion-mnist/\(part.rawValue)/\($0)" }
        }
        let trainCount = selections[0].count
        let validation = validationPlan.split(labels: Array(labels[0..<trainCount]))
        let split = DatasetSplit(train: validation.train, validation: validation.validation, test: Array(trainCount..<labels.count))
        return LabeledImages(images: Tensor(shape: [labels.count] + preprocessing.inputShape, scalars: images),
                             labels: labels, classNames: classNames, paths: paths, predefinedSplit: split)
    }

    static func info(directory: URL) throws -> DatasetInfo {
        try checkDirectory(directory)
        let parts = try Part.allCases.map { try readPart($0, in: directory) }
        var counts = [Int](repeating: 0, count: classNames.count)
        var shapes: [ImageShape: Int] = [:]
        for raw in parts {
            for label in raw.labels { counts[label] += 1 }
            shapes[ImageShape(width: raw.columns, height: raw.rows, channels: 1), default: 0] += raw.count
        }
        return DatasetInfo(name: DatasetSource.fashionMNIST(directory: directory).name, classNames: classNames,
                           countsPerClass: counts, imageShapes: shapes, skipped: [])
    }

    private static func select(_ labels: [Int], limitPerClass: Int?) -> [Int] {
        guard let limit = limitPerClass else { return Array(labels.indices) }
        var taken = [Int](repeating: 0, count: classNames.count)
        return labels.indices.filter { index in
            taken[labels[index]] += 1
            return taken[labels[index]] <= limit
        }
    }

    /// Bytes to [count, C, size, size] floats: a straight scaled copy at the native size, else the
    /// same crop and resampling as `Preprocessing.apply`, in parallel chunks, no per-image objects.
    private static func convert(_ raw: RawPart, selected: [Int], preprocessing: Preprocessing,
                                into output: UnsafeMutableBufferPointer<Float>) {
        let (rows, columns) = (raw.rows, raw.columns)
        let side = min(rows, columns), size = preprocessing.size, channels = preprocessing.channels
        let (y0, x0) = ((rows - side) / 2, (columns - side) / 2)
        let resampler = Resampler(from: side, to: size)
        let outputPlane = size * size, itemSize = channels * outputPlane
        let chunk = 2048
        let scale = ImageDecoder.byteScale
        raw.pixels.withUnsafeBufferPointer { pixels in
            let source = UncheckedSendable(value: pixels.baseAddress! + raw.pixelOffset)
            let target = UncheckedSendable(value: output.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: (selected.count + chunk - 1) / chunk) { chunkIndex in
                var plane = [Float](repeating: 0, count: side * side)
                var scratch = [Float](repeating: 0, count: side * size)
                for item in (chunkIndex * chunk)..<min(selected.count, (chunkIndex + 1) * chunk) {
                    let image = source.value + selected[item] * rows * columns
                    let destination = target.value + item * itemSize
                    if side == size && rows == columns {
                        for i in 0..<outputPlane { destination[i] = scale[Int(image[i])] }
                    } else {
                        for y in 0..<side {
                            for x in 0..<side { plane[y * side + x] = scale[Int(image[(y0 + y) * columns + x0 + x])] }
                        }
                        plane.withUnsafeBufferPointer { plane in
                            scratch.withUnsafeMutableBufferPointer { scratch in
                                resampler.resize(plane.baseAddress!, rowStride: side, into: destination, scratch: scratch.baseAddress!)
                            }
                        }
                    }
                    for c in 1..<channels {
                        (destination + c * outputPlane).update(from: destination, count: outputPlane)
                    }
                }
            }
        }
    }
}
