import Foundation
import LensTensor

/// Decodes PNG, JPEG and PGM/PPM images, recognised by their first bytes, never by the file name.
public enum ImageDecoder {
    /// Images with more pixels than this are refused before any pixel memory is allocated.
    public static let defaultMaxPixels = 100_000_000
    /// How the error that refuses an image says to allow more pixels; a front end that knows
    /// its own way to do so (a flag) can put that in its place.
    public static let pixelLimitAdvice = "raise the pixel limit"

    /// Decodes a whole image. With `minimumSide`, a JPEG may be decoded smaller (by libjpeg's DCT
    /// scaling) as long as its shorter side stays at least `minimumSide`: enough for a crop and
    /// resize to that side, at a fraction of the memory and time.
    public static func decode(contentsOf url: URL, maxPixels: Int = defaultMaxPixels, minimumSide: Int? = nil) throws -> Image {
        try decode(readFile(url), path: url.path, maxPixels: maxPixels, minimumSide: minimumSide)
    }

    public static func decode(_ data: Data, path: String, maxPixels: Int = defaultMaxPixels, minimumSide: Int? = nil) throws -> Image {
        try decodeKeepingSize(data, path: path, maxPixels: maxPixels, minimumSide: minimumSide).image
    }

    /// The size the file declares, once the whole file has been found to decode (a JPEG at 1/8 scale).
    public static func shape(contentsOf url: URL, maxPixels: Int = defaultMaxPixels) throws -> ImageShape {
        try shape(readFile(url), path: url.path, maxPixels: maxPixels)
    }

    public static func shape(_ data: Data, path: String, maxPixels: Int = defaultMaxPixels) throws -> ImageShape {
        let decoded = try decodeKeepingSize(data, path: path, maxPixels: maxPixels, minimumSide: 1)
        return ImageShape(width: decoded.sourceWidth, height: decoded.sourceHeight, channels: decoded.image.channels)
    }

    /// An image and the size its file declares (larger than the image's when a JPEG was scaled down).
    struct Decoded {
        var image: Image
        var sourceWidth: Int
        var sourceHeight: Int

        init(_ image: Image) { self.init(image, sourceWidth: image.width, sourceHeight: image.height) }

        init(_ image: Image, sourceWidth: Int, sourceHeight: Int) {
            self.image = image
            self.sourceWidth = sourceWidth
            self.sourceHeight = sourceHeight
        }
    }

    static func decodeKeepingSize(_ data: Data, path: String, maxPixels: Int, minimumSide: Int?) throws -> Decoded {
        switch ImageFormat(sniffing: data) {
        case .png: return Decoded(try PNGDecoder.decode(data, path: path, maxPixels: maxPixels))
        case .jpeg: return try JPEGDecoder.decode(data, path: path, maxPixels: maxPixels, minimumSide: minimumSide ?? 0)
        case .netpbm: return Decoded(try NetpbmDecoder.decode(data, path: path, maxPixels: maxPixels))
        case nil:
            if data.isEmpty { throw ImageDecodingError(path: path, problem: "file is empty (0 bytes)") }
            let start = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ImageDecodingError(path: path, problem: "not a PNG, JPEG or PGM image (it starts with bytes \(start))")
        }
    }

    static func readFile(_ url: URL) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImageDecodingError(path: url.path, problem: "no such file")
        }
        if isDirectory.boolValue { throw ImageDecodingError(path: url.path, problem: "is a folder, not an image file") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ImageDecodingError(path: url.path, problem: "cannot be read (\(FileProblem.words(error)))")
        }
    }

    /// v / 255 for every byte v: exact (unlike v * (1/255)) and as fast as a multiply.
    static let byteScale: [Float] = (0...255).map { Float($0) / 255 }

    /// 8-bit samples to floats in [0, 1].
    static func floats(fromBytes bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
        byteScale.withUnsafeBufferPointer { scale in
            [Float](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                for i in 0..<bytes.count { buffer[i] = scale[Int(bytes[i])] }
                count = bytes.count
            }
        }
    }
}

enum ImageFormat {
    case png, jpeg, netpbm

    init?(sniffing data: Data) {
        let head = [UInt8](data.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF {
            self = .jpeg
        } else if head.count >= 2, head[0] == UInt8(ascii: "P"), (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(head[1]),
                  head[1] != UInt8(ascii: "4") {
            self = .netpbm
        } else {
            return nil
        }
    }
}
