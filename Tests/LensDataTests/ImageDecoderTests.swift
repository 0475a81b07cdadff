import Foundation
import Testing
@testable import LensData

/// Decoding files written by PIL and by hand with zlib, checked against PIL's own reading.
@Suite struct ImageDecoderTests {
    /// Decodes `name` and checks size and every sample against expected.json (scaled by `scale`).
    private func check(_ name: String, channels: Int, tolerance: Float = 0.5, scale: Float = 255,
                       expand: ([Int]) -> [Int] = { $0 }) throws {
        let image = try ImageDecoder.decode(contentsOf: Fixture.url(name))
        let expected = try #require(Fixture.expected[name])
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(image.channels == channels)
        let reference = expand(expected.pixels)
        #expect(image.pixels.count == reference.count)
        let worst = zip(image.pixels, reference).map { abs($0 * 255 - Float($1) * 255 / scale) }.max() ?? .infinity
        #expect(worst <= tolerance, "\(name): worst difference \(worst) levels")
    }

    @Test func gray8PNG() throws {
        try check("gray8.png", channels: 1)
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("gray8.png"))
        #expect(image[x: 3, y: 0, channel: 0] == Float(Fixture.expected["gray8.png"]!.pixels[3]) / 255)
    }

    @Test func gray16PNGIsReducedToEightBitsFaithfully() throws {
        // 16-bit samples v become round(v / 257) / 255, not gamma-encoded.
        try check("gray16.png", channels: 1, tolerance: 0.51, scale: 65535)
    }

    @Test func palettePNG() throws {
        try check("palette.png", channels: 3)
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("palette.png"))
        #expect(Array(image.pixels[0..<3]) == [1, 0, 0])  // palette entry 0 is pure red
    }

    @Test func rgbaPNGKeepsStraightAlpha() throws {
        try check("rgba.png", channels: 4)
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("rgba.png"))
        #expect(image[x: 0, y: 0, channel: 3] == 0)
        #expect(image[x: 0, y: 0, channel: 0] == Float(Fixture.expected["rgba.png"]!.pixels[0]) / 255)
    }

    @Test func grayAlphaPNGBecomesRGBA() throws {
        try check("gray_alpha.png", channels: 4) { ga in
            stride(from: 0, to: ga.count, by: 2).flatMap { [ga[$0], ga[$0], ga[$0], ga[$0 + 1]] }
        }
    }

    @Test func interlacedPNG() throws {
        try check("interlaced.png", channels: 3)
    }

    @Test func grayJPEGMatchesPIL() throws {
        try check("gray.jpg", channels: 1, tolerance: 2)
    }

    @Test func rgbJPEGMatchesPIL() throws {
        try check("rgb.jpg", channels: 3, tolerance: 2)
    }

    @Test func adobeCMYKJPEGBecomesRGBLikePIL() throws {
        try check("cmyk.jpg", channels: 3, tolerance: 2)
    }

    @Test func asciiPGMWithComments() throws {
        try check("ascii.pgm", channels: 1, scale: 15)
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("ascii.pgm"))
        #expect(image.pixels == [0, 3, 7, 15, 12, 1].map { Float($0) / 15 })
    }

    @Test func binaryPGM() throws {
        try check("binary.pgm", channels: 1)
    }

    @Test func sixteenBitPGMIsBigEndian() throws {
        try check("binary16.pgm", channels: 1, tolerance: 0.01, scale: 65535)
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("binary16.pgm"))
        #expect(image.pixels[1] == Float(1000) / 65535)
    }

    @Test func formatIsSniffedFromContentNotExtension() throws {
        let png = try Fixture.data("gray8.png")
        let image = try ImageDecoder.decode(png, path: "misnamed.jpg")
        #expect(image == (try ImageDecoder.decode(contentsOf: Fixture.url("gray8.png"))))
    }

    @Test func pixelLimitIsAParameter() throws {
        let message = errorMessage { try ImageDecoder.decode(contentsOf: Fixture.url("binary.pgm"), maxPixels: 14) }
        #expect(message?.hasSuffix("binary.pgm: image is 5x3 = 15 pixels, over the limit of 14 pixels (a decompression bomb? if not, raise the pixel limit)") == true)
        #expect(throws: Never.self) { try ImageDecoder.decode(contentsOf: Fixture.url("binary.pgm"), maxPixels: 15) }
    }

    @Test func planarTensorToImage() throws {
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("interlaced.png"))
        let planar = Preprocessing(size: 7, channels: 3).apply(image)  // 9x7 cropped to 7x7, no resampling
        let back = Image(planar: planar)
        #expect(back.width == 7 && back.height == 7 && back.channels == 3)
        #expect(back[x: 0, y: 6, channel: 2] == image[x: 1, y: 6, channel: 2])
    }
}
