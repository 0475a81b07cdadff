import CZlib
import Foundation

/// gzip decompression through zlib. Data that does not start with the gzip magic is returned as is,
/// so uncompressed files work too.
enum Gzip {
    /// Refuse to inflate beyond this (a gzip bomb, or not the file we expect).
    static let maximumOutputBytes = 1 << 30
    /// The most deflate can expand its input (zlib's technical details: 1032:1).
    static let maximumDeflateRatio = 1032

    /// The trailer's ISIZE (size mod 2^32) is only a hint for the first allocation, and believed no
    /// further than deflate can expand (1032:1): a small file claiming 4 GB gets a small buffer.
    static func initialCapacity(compressedBytes: Int, claimedSize: Int) -> Int {
        max(min(claimedSize, compressedBytes * maximumDeflateRatio, maximumOutputBytes), 1 << 16)
    }

    static func decompress(_ data: Data, path: String) throws -> [UInt8] {
        guard data.count >= 2, data[data.startIndex] == 0x1F, data[data.startIndex + 1] == 0x8B else { return [UInt8](data) }
        func fail(_ problem: String) -> DatasetError { .badIDX(path, problem: problem) }
        let hint = data.count >= 18 ? data.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) } : 0
        var output = [UInt8](repeating: 0, count: initialCapacity(compressedBytes: data.count, claimedSize: hint))
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("cannot start gzip decompression")
        }
        defer { inflateEnd(&stream) }
        var produced = 0
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                if produced == output.count {
                    guard output.count < maximumOutputBytes else {
                        throw fail("decompresses to more than \(maximumOutputBytes) bytes; not a dataset file")
                    }
                    output += [UInt8](repeating: 0, count: min(output.count, maximumOutputBytes - output.count))
                }
                let status = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress! + produced
                    stream.avail_out = uInt(buffer.count - produced)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced = buffer.count - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_STREAM_END: return
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw fail("gzip data is truncated (the file ends after \(produced) decompressed bytes)")
                case Z_BUF_ERROR: continue
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw fail("corrupt gzip data (\(reason))")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
