import LensTensor

/// A decoded picture: `height` rows of `width` pixels, each pixel `channels` values
/// (1 gray, 3 RGB, 4 RGBA with straight, non-premultiplied alpha), all in [0, 1].
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// Row-major, channels interleaved: pixel (x, y) channel c is at `(y * width + x) * channels + c`.
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0, "negative image size \(width)x\(height)")
        precondition([1, 3, 4].contains(channels), "an image has 1, 3 or 4 channels, not \(channels)")
        precondition(pixels.count == width * height * channels,
                     "a \(width)x\(height)x\(channels) image needs \(width * height * channels) values, got \(pixels.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image from a [C, H, W] (or [1, C, H, W]) tensor with C = 1, 3 or 4, e.g. to write it as PNG.
    public init(planar tensor: Tensor) {
        let shape = tensor.rank == 4 && tensor.shape[0] == 1 ? Array(tensor.shape.dropFirst()) : tensor.shape
        precondition(shape.count == 3, "Image(planar:) needs a [C, H, W] tensor, got \(tensor.shape)")
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let plane = width * height
        var pixels = [Float](repeating: 0, count: tensor.count)
        tensor.scalars.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for c in 0..<channels {
                    for i in 0..<plane { target[i * channels + c] = source[c * plane + i] }
                }
            }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    public var pixelCount: Int { width * height }

    /// Value of channel `channel` at column `x`, row `y`.
    public subscript(x x: Int, y y: Int, channel channel: Int) -> Float {
        pixels[(y * width + x) * channels + channel]
    }
}

/// Why an image file could not be decoded; the description names the file: "PATH: problem".
public struct ImageDecodingError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    static func tooLarge(_ path: String, width: Int, height: Int, limit: Int) -> ImageDecodingError {
        ImageDecodingError(path: path, problem: "image is \(width)x\(height) = \(width * height) pixels, over the limit of "
            + "\(limit) pixels (a decompression bomb? if not, \(ImageDecoder.pixelLimitAdvice))")
    }
}
