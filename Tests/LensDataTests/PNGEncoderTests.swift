import Foundation
import Testing
@testable import LensData

@Suite struct PNGEncoderTests {
    @Test(arguments: [1, 3, 4])
    func roundTripIsExact(channels: Int) throws {
        let (width, height) = (7, 5)
        let pixels = (0..<(width * height * channels)).map { Float(($0 * 37) % 256) / 255 }
        let image = Image(width: width, height: height, channels: channels, pixels: pixels)
        let data = try PNGEncoder.encode(image)
        #expect(data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        #expect(try ImageDecoder.decode(data, path: "memory.png") == image)
    }

    @Test func valuesAreClampedAndRounded() throws {
        let image = Image(width: 4, height: 1, channels: 1, pixels: [-1, 2, 0.5, .nan])
        let decoded = try ImageDecoder.decode(try PNGEncoder.encode(image), path: "memory.png")
        #expect(decoded.pixels == [0, 1, 128.0 / 255, 0])
    }

    @Test func emptyImageIsRefused() {
        let message = errorMessage { try PNGEncoder.encode(Image(width: 0, height: 3, channels: 1, pixels: [])) }
        #expect(message == "cannot write an empty 0x3 image as PNG")
    }
}
