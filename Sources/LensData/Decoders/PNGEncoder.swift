import CPNG
import Foundation

/// Writes 8-bit gray, RGB or RGBA PNG files (values in [0, 1] are scaled to 0...255 and rounded).
public enum PNGEncoder {
    public static func encode(_ image: Image) throws -> Data {
        let format: png_uint_32
        switch image.channels {
        case 1: format = PNGFormat.gray
        case 3: format = PNGFormat.rgb
        case 4: format = PNGFormat.rgba
        default: throw ImageEncodingError(problem: "cannot write a \(image.channels)-channel image as PNG (1, 3 or 4 only)")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageEncodingError(problem: "cannot write an empty \(image.width)x\(image.height) image as PNG")
        }
        let samples = image.pixels.map { value -> UInt8 in
            UInt8((value.isNaN ? 0 : min(max(value, 0), 1)) * 255 + 0.5)
        }
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = format
        defer { png_image_free(&png) }
        let stride = png_int_32(image.width * image.channels)
        var size = 0
        // First call measures, second writes.
        _ = samples.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard size > 0 else { throw ImageEncodingError(problem: "libpng could not encode the image (\(png.errorMessage))") }
        var output = Data(count: size)
        let ok = output.withUnsafeMutableBytes { target in
            samples.withUnsafeBytes { png_image_write_to_memory(&png, target.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw ImageEncodingError(problem: "libpng could not encode the image (\(png.errorMessage))") }
        return output.prefix(size)
    }
}

public struct ImageEncodingError: Error, CustomStringConvertible, Equatable {
    public var problem: String
    public var description: String { problem }
}
