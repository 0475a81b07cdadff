import Foundation
import LensTensor

/// How an image becomes a network input: centre-crop to a square, convert to gray or RGB,
/// resize to `size` x `size`, values in [0, 1], laid out [C, H, W]. Stored in model files,
/// so the coding keys are part of the file format.
public struct Preprocessing: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Output is `size` x `size`.
    public var size: Int
    /// 1 = gray (BT.601 luma 0.299 R + 0.587 G + 0.114 B), 3 = RGB.
    public var channels: Int

    public static let sizeRange = 1...1024

    public init(size: Int, channels: Int = 1) {
        self.size = size
        self.channels = channels
    }

    /// Checks user-given values (e.g. `--size`) before they are used.
    public func validate() throws {
        guard Self.sizeRange.contains(size) else {
            throw PreprocessingError(problem: "image size \(size) is outside \(Self.sizeRange.lowerBound)...\(Self.sizeRange.upperBound)")
        }
        guard channels == 1 || channels == 3 else {
            throw PreprocessingError(problem: "channels must be 1 (gray) or 3 (RGB), not \(channels)")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(size: try container.decode(Int.self, forKey: .size), channels: try container.decode(Int.self, forKey: .channels))
        try validate()
    }

    public var description: String { "\(size)x\(size) \(channels == 1 ? "gray" : "RGB")" }

    public var inputShape: [Int] { [channels, size, size] }

    /// An image file as a [channels, size, size] tensor; a large JPEG is decoded only as large as
    /// the crop and resize need (see `ImageDecoder.decode(contentsOf:maxPixels:minimumSide:)`).
    public func load(contentsOf url: URL, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws -> Tensor {
        apply(try ImageDecoder.decode(contentsOf: url, maxPixels: maxPixels, minimumSide: size))
    }

    /// The image as a [channels, size, size] tensor. Alpha is dropped, not composited: that is what
    /// PIL's convert("L")/convert("RGB") and hence torchvision do, so a model sees the same pixels here
    /// as in a Python pipeline reading the same files.
    public func apply(_ image: Image) -> Tensor {
        precondition(Self.sizeRange.contains(size) && (channels == 1 || channels == 3), "invalid preprocessing \(size)/\(channels); call validate()")
        precondition(image.width > 0 && image.height > 0, "cannot preprocess an empty image")
        let side = min(image.width, image.height)
        let cropped = croppedPlanes(image, side: side)
        var output = [Float](repeating: 0, count: channels * size * size)
        let resampler = Resampler(from: side, to: size)
        var scratch = [Float](repeating: 0, count: side * size)
        cropped.withUnsafeBufferPointer { planes in
            output.withUnsafeMutableBufferPointer { out in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    for c in 0..<channels {
                        resampler.resize(planes.baseAddress! + c * side * side, rowStride: side,
                                         into: out.baseAddress! + c * size * size, scratch: scratch.baseAddress!)
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: output)
    }

    /// The centred `side` x `side` square (offset rounded down), as `channels` planes.
    private func croppedPlanes(_ image: Image, side: Int) -> [Float] {
        let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
        let plane = side * side, stride = image.channels
        var planes = [Float](repeating: 0, count: channels * plane)
        image.pixels.withUnsafeBufferPointer { source in
            planes.withUnsafeMutableBufferPointer { target in
                let out = target.baseAddress!
                for y in 0..<side {
                    let row = source.baseAddress! + ((y0 + y) * image.width + x0) * stride
                    let gray = out + y * side
                    if stride == 1 {
                        gray.update(from: row, count: side)
                    } else if channels == 1 {
                        for x in 0..<side {
                            let p = row + x * stride
                            gray[x] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
                        }
                    } else {
                        for c in 0..<3 {
                            let channel = out + c * plane + y * side
                            for x in 0..<side { channel[x] = row[x * stride + c] }
                        }
                    }
                }
                // Gray to RGB: the same plane three times.
                if stride == 1 {
                    for c in 1..<channels { (out + c * plane).update(from: out, count: plane) }
                }
            }
        }
        return planes
    }
}

public struct PreprocessingError: Error, CustomStringConvertible, Equatable {
    public var problem: String
    public var description: String { problem }
}
