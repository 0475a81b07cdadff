import Foundation
import Testing
@testable import LensData
import LensTestSupport

/// The committed fixture files (written by Fixtures/make_fixtures.py with PIL, numpy and zlib).
enum Fixture {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// One of the embedded ORL faces ("s1/1.pgm"), decoded.
    static func orlFace(_ path: String) throws -> Image {
        let file = try #require(try EmbeddedORL.files().first { $0.path == path })
        return try ImageDecoder.decode(file.contents, path: path)
    }

    /// Pixels as PIL decodes them (0...255, or raw samples for 16-bit and PGM files).
    struct Expected: Decodable {
        var width: Int
        var height: Int
        var channels: Int
        var pixels: [Int]
    }

    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: url("expected.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()
}

extension ScratchFolder {
    func copyFixture(_ name: String, to relativePath: String) throws {
        try write(relativePath, try Fixture.data(name))
    }
}

/// The description of the error `body` throws, or nil when it does not throw.
func errorMessage<T>(_ body: () throws -> T) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return "\(error)"
    }
}
