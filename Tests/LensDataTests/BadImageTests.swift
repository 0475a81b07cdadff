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

    @Test func asciiPGMClaimingAHugeSizeFailsOnItsData() {
        // The size is under the limit, the samples are missing: an error, without reserving room for 10^8 samples.
        let text = errorMessage { try ImageDecoder.decode(Data("P2 10000 10000 255\n1 2 3\n".utf8), path: "x.pgm") }
        #expect(text == "x.pgm: truncated PGM: expected 100000000 samples, found 3")
    }

    @Test func asciiPGMWithSampleOverMaxval() {
        let text = errorMessage { try ImageDecoder.decode(Data("P2 2 1 10\n3 11\n".utf8), path: "x.pgm") }
        #expect(text == "x.pgm: corrupt PGM: sample 1 is 11, over maxval 10")
    }

    /// The reason given for an image over the limit: its size, the limit and what to do (no CLI flag: the web app says it too).
    private func overLimit(_ width: Int, _ height: Int, limit: Int) -> String {
        "image is \(width)x\(height) = \(width * height) pixels, over the limit of \(limit) pixels "
            + "(a decompression bomb? if not, raise the pixel limit)"
    }

    @Test func pngOverThePixelLimitIsRefusedFromItsHeader() {
        #expect(message("bomb.png", maxPixels: 50_000_000) == "\(Fixture.url("bomb.png").path): \(overLimit(10000, 10000, limit: 50_000_000))")
        // With room for it, decoding goes on and fails on the missing data: the limit is checked first.
        let allowed = message("bomb.png", maxPixels: 100_000_000)
        #expect(allowed?.contains("corrupt or truncated PNG") == true, "\(allowed ?? "no error")")
    }

    @Test func jpegOverThePixelLimitIsRefusedFromItsHeader() {
        #expect(message("bomb.jpg", maxPixels: 50_000_000) == "\(Fixture.url("bomb.jpg").path): \(overLimit(10000, 10000, limit: 50_000_000))")
        let allowed = message("bomb.jpg", maxPixels: 100_000_000)
        #expect(allowed?.contains("corrupt or truncated JPEG") == true, "\(allowed ?? "no error")")
    }

    @Test func pgmOverThePixelLimitIsRefusedFromItsHeader() {
        let text = errorMessage { try ImageDecoder.decode(Data("P5 100000 100000 255\n".utf8), path: "huge.pgm") }
        #expect(text == "huge.pgm: \(overLimit(100000, 100000, limit: 100_000_000))")
    }

    @Test func defaultLimitIsAHundredMillionPixels() {
        let over = errorMessage { try ImageDecoder.decode(Data("P5 10001 10000 255\n".utf8), path: "over.pgm") }
        #expect(over == "over.pgm: \(overLimit(10001, 10000, limit: 100_000_000))")
        let at = errorMessage { try ImageDecoder.decode(Data("P5 10000 10000 255\n".utf8), path: "at.pgm") }
        #expect(at?.hasPrefix("at.pgm: truncated PGM") == true, "\(at ?? "no error")")
    }
}
