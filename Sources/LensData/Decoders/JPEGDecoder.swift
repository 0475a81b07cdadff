import CJPEGShim
import Foundation

/// JPEG through libjpeg-turbo; the C shim turns libjpeg's longjmp errors into a status and a message.
enum JPEGDecoder {
    /// `minimumSide` > 0 lets libjpeg decode at a reduced scale whose shorter side is still that long.
    static func decode(_ data: Data, path: String, maxPixels: Int, minimumSide: Int) throws -> ImageDecoder.Decoded {
        var decoded = lens_jpeg_image()
        let side = Int32(clamping: minimumSide)
        let status = data.withUnsafeBytes { bytes in
            lens_jpeg_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, Int64(maxPixels), side, &decoded)
        }
        defer { lens_jpeg_free(&decoded) }
        let width = Int(decoded.width), height = Int(decoded.height), channels = Int(decoded.channels)
        switch status {
        case LENS_JPEG_OK:
            let pixels = ImageDecoder.floats(fromBytes: UnsafeBufferPointer(start: decoded.pixels, count: width * height * channels))
            return ImageDecoder.Decoded(Image(width: width, height: height, channels: channels, pixels: pixels),
                                        sourceWidth: Int(decoded.source_width), sourceHeight: Int(decoded.source_height))
        case LENS_JPEG_TOO_LARGE:
            throw ImageDecodingError.tooLarge(path, width: width, height: height, limit: maxPixels)
        case LENS_JPEG_OUT_OF_MEMORY:
            throw ImageDecodingError(path: path, problem: "not enough memory to decode a \(width)x\(height) JPEG")
        default:
            let message = withUnsafeBytes(of: decoded.message) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            throw ImageDecodingError(path: path, problem: "corrupt or truncated JPEG (\(message))")
        }
    }
}
