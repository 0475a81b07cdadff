import Foundation

/// The regular files of a ustar archive (POSIX.1-1988, as `tar --format=ustar` writes), in archive
/// order: what the embedded ORL faces are packed as. Other entry types (folders) are passed over.
struct TarArchive {
    struct Entry: Sendable {
        var path: String
        var contents: Data
    }

    var entries: [Entry]

    init(_ bytes: [UInt8], name: String) throws {
        func fail(_ problem: String) -> DatasetError { .damagedEmbeddedData(name, problem: problem) }
        let block = 512
        var entries: [Entry] = [], offset = 0
        while offset + block <= bytes.count {
            let header = bytes[offset..<(offset + block)]
            if header.allSatisfy({ $0 == 0 }) { break }  // the end-of-archive blocks
            guard bytes[(offset + 257)..<(offset + 262)].elementsEqual("ustar".utf8) else {
                throw fail("entry at byte \(offset) is not a ustar header")
            }
            func text(_ start: Int, _ length: Int) -> String {
                String(decoding: bytes[(offset + start)..<(offset + start + length)].prefix { $0 != 0 }, as: UTF8.self)
            }
            let sizeField = text(124, 12).trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeField, radix: 8), size >= 0 else { throw fail("entry at byte \(offset) has a bad size") }
            let start = offset + block
            guard size <= bytes.count - start else { throw fail("entry at byte \(offset) runs past the end") }
            let type = bytes[offset + 156]
            if type == UInt8(ascii: "0") || type == 0 {
                let prefix = text(345, 155)
                let path = prefix.isEmpty ? text(0, 100) : prefix + "/" + text(0, 100)
                entries.append(Entry(path: path, contents: Data(bytes[start..<(start + size)])))
            }
            offset = start + (size + block - 1) / block * block
        }
        self.entries = entries
    }
}
