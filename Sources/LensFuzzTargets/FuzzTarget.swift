import Foundation
import LensData
import LensModels
import LensTensor

/// What the fuzzers drive (Fuzz/, scripts/fuzz.sh) and `swift test` replays the committed corpus
/// through: each entry point takes any bytes and must return or throw, never crash, hang or
/// allocate without bound.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// PNG, JPEG, PGM/PPM by content sniffing, decoded whole and scaled, then preprocessed.
    case image
    /// The safetensors reader.
    case safetensors
    /// A model file: safetensors, metadata JSON to architecture and parameters, one prediction.
    case model
    /// The `--arch` parser, on 1x28x28 and 3x64x64 inputs.
    case arch
    /// The Fashion-MNIST reader: an IDX image or label file, gzip-compressed or not.
    case idx
    /// The web app's HTTP request parsing and routing: raw bytes of one connection (HTTPExchange).
    case http

    /// Lower than the default so that one input cannot take seconds; the cap is what bounds memory.
    public static let maxPixels = 1 << 22

    /// Builds what every input shares before the first one (libFuzzer's `LLVMFuzzerInitialize`), so
    /// that its cost does not count against the first input's time limit: the http target trains a
    /// small model for its server, seconds under AddressSanitizer.
    public func prepare() {
        if self == .http { HTTPExchange.prepare() }
    }

    public func run(_ data: Data) throws {
        switch self {
        case .image:
            let image = try ImageDecoder.decode(data, path: "fuzz", maxPixels: Self.maxPixels)
            _ = try ImageDecoder.decode(data, path: "fuzz", maxPixels: Self.maxPixels, minimumSide: 7)
            _ = Preprocessing(size: 7, channels: 3).apply(image)
        case .safetensors:
            let file = try SafetensorsFile(data: data, path: "fuzz")
            _ = file.names.reduce(0) { $0 + (file[$1]?.count ?? 0) }
        case .model:
            let model = try ModelFile(file: try SafetensorsFile(data: data, path: "fuzz"), path: "fuzz")
            let input = Tensor(shape: [1] + model.provenance.preprocessing.inputShape, repeating: 0.5)
            _ = try model.predictedLabels(input)
        case .arch:
            let text = String(decoding: data, as: UTF8.self)
            for shape in [[1, 28, 28], [3, 64, 64]] { _ = try? Architecture.parse(text, inputShape: shape, classes: 10) }
        case .idx:
            _ = try? IDXFile(data: data, path: "fuzz", magic: IDXFile.imagesMagic)
            _ = try IDXFile(data: data, path: "fuzz", magic: IDXFile.labelsMagic)
        case .http:
            try HTTPExchange.run(data)
        }
    }
}
