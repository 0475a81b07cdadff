import CORLFaces
import Foundation

/// The ORL faces compiled into the executable (the C target CORLFaces holds them as a gzip-compressed
/// ustar archive), so that `lens` copied alone anywhere still has them.
public enum EmbeddedORL {
    /// How the set and its files are named to the user: "orl", "orl/s1/1.pgm".
    static let name = "orl"
    private static let description = "the embedded ORL faces"

    /// Every file of the archive ("s1/1.pgm" ...) with its bytes.
    static func files() throws -> [TarArchive.Entry] {
        let archive = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: lens_orl_faces_archive()),
                           count: lens_orl_faces_archive_size(), deallocator: .none)
        return try TarArchive(Gzip.decompress(archive, path: description), name: description).entries
    }

    /// One face file's bytes as the ORL distribution has it, e.g. `file("s1/1.pgm")` (what a user
    /// would upload to the web app or pass to `lens predict`).
    public static func file(_ path: String) throws -> Data {
        guard let entry = try files().first(where: { $0.path == path }) else {
            throw DatasetError.missingFile("\(name)/\(path)", expected: "a file of \(description), such as s1/1.pgm")
        }
        return entry.contents
    }

    static func listing(limitPerClass: Int?) throws -> ClassFolders.Listing {
        ClassFolders.list(archive: try files(), name: name, limitPerClass: limitPerClass)
    }
}
