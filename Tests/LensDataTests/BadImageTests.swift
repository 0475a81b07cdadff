import Foundation
import Testing
@testable import LensData

/// Every bad image file gives one clear error naming the file and the problem, never a crash.
@Suite struct BadImageTests {
    private func message(_ name: String, maxPixels: Int = ImageDecoder.defaultMaxPixels) -> String? {
        errorMessage { try ImageDecoder.decode(contentsOf: Fixture.url(name), maxPixels: maxPixels) }
    }

    @Test func nonexistentFile() {
        #expect(errorMessage { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/no/such/face.png")) }
            == "/no/such/face.png: no such file")
    }

    @Test func folderInsteadOfFile() {
        #expect(message("idx-good") == "\(Fixture.url("idx-good").path): is a folder, not an image file")
    }

    @Test func zeroByteFile() {
        #expect(message("empty.png") == "\(Fixture.url("empty.png").path): file is empty (0 bytes)")
    }

    @Test func truncatedPNG() {
        let text = message("truncated.png")
        #expect(text?.hasPrefix("\(Fixture.url("truncated.png").path): corrupt or truncated PNG (") == true, "\(text ?? "no error")")
    }

    @Test func truncatedJPEG() {
        #expect(message("truncated.jpg") == "\(Fixture.url("truncated.jpg").path): corrupt or truncated JPEG (Premature end of JPEG file)")
    }

    @Test func textFileNamedPNG() {
        #expect(message("not-an-image.png")
            == "\(Fixture.url("not-an-image.png").path): not a PNG, JPEG or PGM image (it starts with bytes 48 65 6c 6c 6f 2c 20 49)")
    }

    @Test func pgmWithBadHeader() {
        #expect(message("bad-header.pgm")
            == "\(Fixture.url("bad-header.pgm").path): bad PGM header: expected the width (a whole number), found \"-3\"")
    }

    @Test func pgmWithMaxvalOutOfRange() {
        let text = errorMessage { try ImageDecoder.decode(Data("P2 1 1 70000\n5\n".utf8), path: "x.pgm") }
        #expect(text == "x.pgm: bad PGM header: maxval 70000 is outside 1...65535")
    }

    @Test func pgmWithMissingPixels() {
        let text = errorMessage { try ImageDecoder.decode(Data("P5 4 4 255\n".utf8) + Data(count: 10), path: "x.pgm") }
        #expect(text == "x.pgm: truncated PGM: expected 16 bytes of pixel data, found 10")
    }

    @Test func asciiPGMWithSampleOverMaxval() {
        let text = errorMessage { try ImageDecoder.decode(Data("P2 2 1 10\n3 11\n".utf8), path: "x.pgm") }
        #expect(text == "x.pgm: corrupt PGM: sample 1 is 11, over maxval 10")
    }

    @Test func pngOverThePixelLimitIsRefusedFromItsHeader() {
        #expect(message("bomb.png") == "\(Fixture.url("bomb.png").path): image is 10000x10000 = 100000000 pixels, "
            + "over the limit of 50000000 pixels (a decompression bomb, or raise the limit)")
        // With room for it, decoding goes on and fails on the missing data: the limit is checked first.
        let allowed = message("bomb.png", maxPixels: 100_000_000)
        #expect(allowed?.contains("corrupt or truncated PNG") == true, "\(allowed ?? "no error")")
    }

    @Test func jpegOverThePixelLimitIsRefusedFromItsHeader() {
        #expect(message("bomb.jpg")?.hasSuffix("bomb.jpg: image is 10000x10000 = 100000000 pixels, "
            + "over the limit of 50000000 pixels (a decompression bomb, or raise the limit)") == true)
    }

    @Test func pgmOverThePixelLimitIsRefusedFromItsHeader() {
        let text = errorMessage { try ImageDecoder.decode(Data("P5 100000 100000 255\n".utf8), path: "huge.pgm") }
        #expect(text == "huge.pgm: image is 100000x100000 = 10000000000 pixels, over the limit of 50000000 pixels (a decompression bomb, or raise the limit)")
    }
}
