import Foundation

/// Netpbm gray and colour maps: PGM (P2 ASCII, P5 binary) and PPM (P3, P6), maxval 1...65535
/// (binary samples are two bytes, big-endian, when maxval > 255). `#` comments may appear
/// anywhere in the header; the header is validated strictly and the raster must be complete.
enum NetpbmDecoder {
    static func decode(_ data: Data, path: String, maxPixels: Int) throws -> Image {
        try data.withUnsafeBytes { raw in
            var reader = HeaderReader(bytes: raw.bindMemory(to: UInt8.self), path: path)
            return try reader.decode(maxPixels: maxPixels)
        }
    }

    private struct HeaderReader {
        let bytes: UnsafeBufferPointer<UInt8>
        let path: String
        var position = 0

        func fail(_ problem: String) -> ImageDecodingError { ImageDecodingError(path: path, problem: problem) }

        mutating func decode(maxPixels: Int) throws -> Image {
            let kind = Character(UnicodeScalar(bytes[1]))
            let channels = kind == "3" || kind == "6" ? 3 : 1
            let binary = kind == "5" || kind == "6"
            let name = channels == 1 ? "PGM" : "PPM"
            position = 2
            guard position < bytes.count, isSpace(bytes[position]) || bytes[position] == UInt8(ascii: "#") else {
                throw fail("bad \(name) header: the magic number P\(kind) must be followed by whitespace")
            }
            let width = try headerNumber("width", context: "bad \(name) header")
            let height = try headerNumber("height", context: "bad \(name) header")
            let maxval = try headerNumber("maxval", context: "bad \(name) header")
            guard width > 0, height > 0 else { throw fail("bad \(name) header: size \(width)x\(height) must be at least 1x1") }
            guard (1...65535).contains(maxval) else { throw fail("bad \(name) header: maxval \(maxval) is outside 1...65535") }
            guard width * height <= maxPixels else {
                throw ImageDecodingError.tooLarge(path, width: width, height: height, limit: maxPixels)
            }
            let count = width * height * channels
            let samples = binary ? try binarySamples(count, maxval: maxval, name)
                                 : try asciiSamples(count, maxval: maxval, name)
            return Image(width: width, height: height, channels: channels, pixels: samples)
        }

        private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

        private mutating func skipSpaceAndComments() {
            while position < bytes.count {
                if isSpace(bytes[position]) {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                } else {
                    return
                }
            }
        }

        /// A decimal number in the header, with a clear error for anything else.
        private mutating func headerNumber(_ field: String, context: String) throws -> Int {
            skipSpaceAndComments()
            guard position < bytes.count else { throw fail("\(context): file ends before the \(field)") }
            var value = 0, digits = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - 0x30)
                digits += 1
                position += 1
                guard value <= Int(Int32.max) else { throw fail("\(context): \(field) is too large") }
            }
            guard digits > 0 else {
                let token = bytes[position...].prefix(while: { !isSpace($0) }).prefix(12)
                throw fail("\(context): expected the \(field) (a whole number), found \"\(String(decoding: token, as: UTF8.self))\"")
            }
            guard position == bytes.count || isSpace(bytes[position]) || bytes[position] == UInt8(ascii: "#") else {
                throw fail("\(context): \(field) is followed by an unexpected character")
            }
            return value
        }

        private mutating func binarySamples(_ count: Int, maxval: Int, _ name: String) throws -> [Float] {
            // Exactly one whitespace byte separates maxval from the raster.
            guard position < bytes.count, isSpace(bytes[position]) else {
                throw fail("truncated \(name): no pixel data after the header")
            }
            position += 1
            let bytesPerSample = maxval > 255 ? 2 : 1
            let available = bytes.count - position
            guard available >= count * bytesPerSample else {
                throw fail("truncated \(name): expected \(count * bytesPerSample) bytes of pixel data, found \(available)")
            }
            let raster = UnsafeBufferPointer(rebasing: bytes[position..<(position + count * bytesPerSample)])
            let scale = Float(maxval)
            var outOfRange = false
            let samples = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    let value = bytesPerSample == 1 ? Int(raster[i]) : Int(raster[2 * i]) << 8 | Int(raster[2 * i + 1])
                    if value > maxval { outOfRange = true }
                    buffer[i] = Float(min(value, maxval)) / scale
                }
                initialized = count
            }
            if outOfRange { throw fail("corrupt \(name): a sample exceeds maxval \(maxval)") }
            return samples
        }

        private mutating func asciiSamples(_ count: Int, maxval: Int, _ name: String) throws -> [Float] {
            var samples = [Float]()
            // Each sample takes at least two bytes (a digit and a separator): a short file that
            // claims a large size must not reserve memory for samples it cannot hold.
            samples.reserveCapacity(min(count, (bytes.count - position) / 2 + 1))
            let scale = Float(maxval)
            for index in 0..<count {
                skipSpaceAndComments()
                guard position < bytes.count else {
                    throw fail("truncated \(name): expected \(count) samples, found \(index)")
                }
                let value = try headerNumber("sample \(index)", context: "corrupt \(name) pixel data")
                guard value <= maxval else { throw fail("corrupt \(name): sample \(index) is \(value), over maxval \(maxval)") }
                samples.append(Float(value) / scale)
            }
            return samples
        }
    }
}
