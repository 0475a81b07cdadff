import Foundation
import LensTensor
import Testing
@testable import LensData

/// The ORL faces compiled into the executable are the 400 published files, byte for byte.
@Suite struct EmbeddedORLTests {
    /// The published checksums, kept in the source tree beside the archive.
    static let sums = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CORLFaces/SHA256SUMS")

    @Test func embeddedFilesAreThe400PublishedFaces() throws {
        let published = try String(contentsOf: Self.sums, encoding: .utf8).split(separator: "\n").map { line in
            (path: String(line.dropFirst(66)), sha256: String(line.prefix(64)))
        }
        #expect(published.count == 400)
        let files = try EmbeddedORL.files()
        #expect(files.count == 400)
        let embedded = Dictionary(uniqueKeysWithValues: files.map { ($0.path, SHA256.hex(Data($0.contents))) })
        #expect(embedded == Dictionary(uniqueKeysWithValues: published.map { ($0.path, $0.sha256) }))
        for file in files {
            let image = try ImageDecoder.decode(file.contents, path: file.path)
            #expect(image.width == 92 && image.height == 112 && image.channels == 1, "\(file.path)")
        }
    }

    @Test func listingHas40ClassesOf10InByteOrder() throws {
        let listing = try EmbeddedORL.listing(limitPerClass: nil)
        #expect(listing.classNames.count == 40)
        #expect(listing.classNames.prefix(4) == ["s1", "s10", "s11", "s12"])
        #expect(listing.items.count == 400 && listing.skipped.isEmpty)
        #expect(listing.items.prefix(3).map(\.path) == ["orl/s1/1.pgm", "orl/s1/10.pgm", "orl/s1/2.pgm"])
        #expect((0..<40).allSatisfy { c in listing.items.filter { $0.classIndex == c }.count == 10 })
        #expect(try EmbeddedORL.listing(limitPerClass: 2).items.count == 80)
    }

    @Test func damagedArchiveIsAClearError() {
        var tar = [UInt8](repeating: 0, count: 1024)
        tar.replaceSubrange(0..<5, with: Array("junk!".utf8))
        #expect(errorMessage { try TarArchive(tar, name: "x") } == "x: entry at byte 0 is not a ustar header "
            + "(the lens executable is damaged; build or install it again)")
    }
}
