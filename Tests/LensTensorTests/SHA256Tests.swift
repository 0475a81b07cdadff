import Foundation
import LensTensor
import LensTestSupport
import Testing

/// The digest that names cached figures agrees with FIPS 180-4's examples and with itself when streamed.
@Suite struct SHA256Tests {
    @Test func knownAnswers() {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func aFileReadInPiecesHashesAsItsBytes() throws {
        let scratch = try ScratchFolder()
        // Longer than one read (1 MiB) and not a whole number of 64-byte blocks.
        let bytes = Data((0..<(1 << 20) + 1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let path = try scratch.write("blob", bytes)
        #expect(SHA256.hex(fileAt: URL(fileURLWithPath: path)) == SHA256.hex(bytes))
        #expect(SHA256.hex(fileAt: URL(fileURLWithPath: scratch.path("missing"))) == nil)
    }
}
