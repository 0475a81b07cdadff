import CPNG
import Foundation

/// PNG through libpng's simplified API, which handles every bit depth, colour type, palette,
/// tRNS and interlacing, and reports errors in `image.message` (no setjmp needed).
enum PNGDecoder {
    static func decode(_ data: Data, path: String, maxPixels: Int) throws -> Image {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Image in
            var image = png_image()
            image.version = png_uint_32(PNG_IMAGE_VERSION)
            defer { png_image_free(&image) }
            guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
                throw ImageDecodingError(path: path, problem: "corrupt PNG (\(image.errorMessage))")
            }
            let width = Int(image.width), height = Int(image.height)
            // The header alone is read so far: refuse a decompression bomb before allocating.
            guard width * height <= maxPixels else {
                throw ImageDecodingError.tooLarge(path, width: width, height: height, limit: maxPixels)
            }
            let hasColor = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
                || image.format & png_uint_32(PNG_FORMAT_FLAG_COLORMAP) != 0
            let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
            // Alpha is kept (gray+alpha becomes RGBA); Preprocessing later drops it like PIL's convert().
            let (format, channels) = hasAlpha ? (PNGFormat.rgba, 4) : hasColor ? (PNGFormat.rgb, 3) : (PNGFormat.gray, 1)
            image.format = format
            // 8-bit output with 16-bit files read as sRGB: samples keep their stored meaning (v / 65535,
            // rounded to 8 bits) instead of being gamma-encoded as if they were linear light.
            image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
            var samples = [UInt8](repeating: 0, count: width * height * channels)
            let ok = samples.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&image, nil, buffer.baseAddress, png_int_32(width * channels), nil)
            }
            guard ok != 0 else {
                throw ImageDecodingError(path: path, problem: "corrupt or truncated PNG (\(image.errorMessage))")
            }
            let pixels = samples.withUnsafeBufferPointer { ImageDecoder.floats(fromBytes: $0) }
            return Image(width: width, height: height, channels: channels, pixels: pixels)
        }
    }
}

/// libpng's simplified-API pixel formats (the compound macros do not reach Swift).
enum PNGFormat {
    static let gray = png_uint_32(PNG_FORMAT_GRAY)
    static let rgb = png_uint_32(PNG_FORMAT_FLAG_COLOR)
    static let rgba = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
}

extension png_image {
    /// libpng's reason for the last failure, from the fixed-size `message` field.
    var errorMessage: String {
        withUnsafeBytes(of: message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
