import Foundation
import LensTensor
import LensTestSupport
import Testing
@testable import LensData

/// A JPEG damaged inside its entropy-coded data makes libjpeg warn and carry on with garbage pixels;
/// here the warning makes the file a skip with the reason, or an error under strict mode.
@Suite struct CorruptJPEGTests {
    /// `fixture` with 64 seeded random bytes written over the middle of the data after its SOS header.
    static func damaged(_ fixture: String, seed: UInt64) throws -> Data {
        var bytes = [UInt8](try Fixture.data(fixture))
        let sos = try #require(bytes.indices.dropLast().first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA })
        let scanStart = sos + 2 + Int(bytes[sos + 2]) << 8 + Int(bytes[sos + 3])
        let scanLength = bytes.count - 2 - scanStart  // up to the EOI marker
        try #require(scanLength > 128, "\(fixture) has too little entropy-coded data to damage")
        var random = SeededGenerator(seed: seed)
        let start = scanStart + (scanLength - 64) / 2
        for i in start..<(start + 64) { bytes[i] = UInt8.random(in: 0...255, using: &random) }
        return Data(bytes)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func damagedEntropyDataIsAnError(seed: UInt64) throws {
        #expect(throws: Never.self) { try ImageDecoder.decode(try Fixture.data("rgb.jpg"), path: "intact.jpg") }
        let message = errorMessage { try ImageDecoder.decode(try Self.damaged("rgb.jpg", seed: seed), path: "damaged.jpg") }
        #expect(message?.hasPrefix("damaged.jpg: corrupt or truncated JPEG (") == true, "\(message ?? "decoded without error")")
    }

    @Test func damagedJPEGInAFolderIsSkippedWithItsReason() throws {
        let folder = try ScratchFolder()
        try folder.copyFixture("rgb.jpg", to: "a/1.jpg")
        try folder.copyFixture("rgb.jpg", to: "b/1.jpg")
        try folder.write("b/2.jpg", try Self.damaged("rgb.jpg", seed: 1))
        let damaged = folder.url.appendingPathComponent("b/2.jpg").path
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: nil)
        #expect(data.count == 2)
        #expect(data.skipped.map(\.path) == [damaged])
        #expect(data.skipped.first?.reason.hasPrefix("corrupt or truncated JPEG (Corrupt JPEG data") == true,
                "\(data.skipped.first?.reason ?? "not skipped")")
        let info = try DatasetLoader.info(.folder(folder.url))
        #expect(info.skipped.map(\.path) == [damaged] && info.countsPerClass == [1, 1])
        let strict = errorMessage { try DatasetLoader.load(.folder(folder.url), preprocessing: nil, strict: true) }
        #expect(strict?.hasPrefix("1 file could not be used (strict mode): \(damaged): corrupt or truncated JPEG (") == true,
                "\(strict ?? "no error")")
    }
}
