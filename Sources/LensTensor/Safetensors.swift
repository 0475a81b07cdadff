import Foundation

/// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then raw
/// little-endian data. Reading validates every length, offset and shape before touching data,
/// so a truncated or hostile file fails with a message rather than a crash.
public struct SafetensorsFile: Sendable {
    public enum DType: String, Sendable {
        case f32 = "F32", f64 = "F64", f16 = "F16", i64 = "I64", i32 = "I32", u8 = "U8", i8 = "I8", bool = "BOOL"
        var byteSize: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16: 2
            case .u8, .i8, .bool: 1
            }
        }
    }

    public struct Entry: Sendable {
        public var dtype: DType
        public var shape: [Int]
        public var tensor: Tensor  // values converted to Float32
    }

    public var tensors: [String: Entry]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors.mapValues { Entry(dtype: .f32, shape: $0.shape, tensor: $0) }
        self.metadata = metadata
    }

    public subscript(name: String) -> Tensor? {
        get { tensors[name]?.tensor }
        set { tensors[name] = newValue.map { Entry(dtype: .f32, shape: $0.shape, tensor: $0) } }
    }

    public var names: [String] { tensors.keys.sorted() }

    /// Largest header the reader accepts (the reference implementation's limit).
    public static let maximumHeaderBytes = 100_000_000

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw SafetensorsError(path: url.path, problem: FileManager.default.fileExists(atPath: url.path)
                ? "cannot be read: \(FileProblem.words(error))" : "no such file")
        }
        try self.init(data: data, path: url.path)
    }

    public init(data: Data, path: String = "<memory>") throws {
        func fail(_ problem: String) -> SafetensorsError { SafetensorsError(path: path, problem: problem) }
        guard data.count >= 8 else { throw fail("is truncated: \(data.count) bytes, too short for the 8-byte header length") }
        let headerLength: UInt64 = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> UInt64 in
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(raw[i]) << (8 * UInt64(i)) }
            return value
        }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the \(Self.maximumHeaderBytes)-byte limit (not a safetensors file?)")
        }
        guard 8 + Int(headerLength) <= data.count else {
            throw fail("is truncated: header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(headerLength)))
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: headerBytes) } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? FileProblem.words(error)
            throw fail("header is not valid JSON (\(OneLine.escape(reason)))")
        }
        guard let header = parsed as? [String: Any] else {
            throw fail("header is JSON but not an object of tensors (it is \(parsed is [Any] ? "a list" : "a single value"))")
        }
        // JSON readers keep the last of two equal keys; the format allows one entry per name.
        if let repeated = Self.repeatedKey(in: headerBytes) {
            throw fail("header names \"\(OneLine.escape(repeated))\" twice; each tensor (and __metadata__) must appear once")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = data.count - dataStart

        var metadata: [String: String] = [:]
        var tensors: [String: Entry] = [:]
        var ranges: [(Int, Int, String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (key, item) in dict {
                    guard let string = item as? String else { throw fail("__metadata__[\"\(key)\"] is not a string") }
                    metadata[key] = string
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("entry \"\(name)\" is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("tensor \"\(name)\" has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else { throw fail("tensor \"\(name)\" has unsupported dtype \(dtypeName)") }
            guard let shapeValues = info["shape"] as? [Any],
                  let shape = Self.integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor \"\(name)\" has no valid shape")
            }
            guard let offsetValues = info["data_offsets"] as? [Any], let offsets = Self.integers(offsetValues),
                  offsets.count == 2 else {
                throw fail("tensor \"\(name)\" has no valid data_offsets")
            }
            let begin: Int = offsets[0], end: Int = offsets[1]
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw fail("tensor \"\(name)\" has data_offsets [\(begin), \(end)] outside the \(dataLength) data bytes (truncated?)")
            }
            var elementCount = 1
            for dimension in shape {
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= dataLength else { throw fail("tensor \"\(name)\" shape \(shape) is larger than the file") }
                elementCount = product
            }
            let byteCount: Int = elementCount * dtype.byteSize
            guard byteCount == end - begin else {
                throw fail("tensor \"\(name)\" shape \(shape) needs \(elementCount * dtype.byteSize) bytes but data_offsets span \(end - begin)")
            }
            ranges.append((begin, end, name))
            let scalars: [Float] = data.withUnsafeBytes { raw in
                Self.decode(raw, from: dataStart + begin, count: elementCount, dtype: dtype)
            }
            tensors[name] = Entry(dtype: dtype, shape: shape, tensor: Tensor(shape: shape, scalars: scalars))
        }
        ranges.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.0 < previous.1 {
            throw fail("tensors \"\(previous.2)\" and \"\(next.2)\" overlap in the data section")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), double >= -1e15, double <= 1e15 else { return nil }
            result.append(Int(double))
        }
        return result
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, from start: Int, count: Int, dtype: DType) -> [Float] {
        let base = raw.baseAddress!.advanced(by: start)
        return (0..<count).map { i -> Float in
            let p = base.advanced(by: i * dtype.byteSize)
            switch dtype {
            case .f32: return Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            case .f64: return Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))))
            case .f16: return Float(Float16Bits(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self))))
            case .i64: return Float(Int64(littleEndian: p.loadUnaligned(as: Int64.self)))
            case .i32: return Float(Int32(littleEndian: p.loadUnaligned(as: Int32.self)))
            case .u8, .bool: return Float(p.load(as: UInt8.self))
            case .i8: return Float(p.load(as: Int8.self))
            }
        }
    }

    /// Serialises every tensor as little-endian F32 (I64 where the entry says so), names sorted.
    /// The first key that appears twice in one object of `json` (already known to parse).
    static func repeatedKey(in json: Data) -> String? {
        let bytes = [UInt8](json)
        var objects: [(keys: Set<String>, expectsKey: Bool)?] = []  // nil: an array
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"): objects.append(([], true))
            case UInt8(ascii: "["): objects.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = objects.popLast()
            case UInt8(ascii: ","): if objects.last??.keys != nil { objects[objects.count - 1]?.expectsKey = true }
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                if let object = objects.last ?? nil, object.expectsKey {
                    let raw = Data(bytes[index...min(end, bytes.count - 1)])
                    let key = (try? JSONSerialization.jsonObject(with: raw, options: .fragmentsAllowed)) as? String
                        ?? String(decoding: raw, as: UTF8.self)
                    if object.keys.contains(key) { return key }
                    objects[objects.count - 1]?.keys.insert(key)
                    objects[objects.count - 1]?.expectsKey = false
                }
                index = end
            default: break
            }
            index += 1
        }
        return nil
    }

    public func serialized() -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for name in names {
            let entry = tensors[name]!
            let begin = body.count
            if entry.dtype == .i64 {
                for value in entry.tensor.scalars { withUnsafeBytes(of: Int64(value).littleEndian) { body.append(contentsOf: $0) } }
            } else {
                entry.tensor.scalars.withUnsafeBufferPointer { buffer in
                    for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
                }
            }
            header[name] = ["dtype": entry.dtype == .i64 ? "I64" : "F32", "shape": entry.tensor.shape,
                            "data_offsets": [begin, body.count]]
        }
        var headerData = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerData.count % 8 != 0 { headerData.append(UInt8(ascii: " ")) }
        var out = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerData)
        out.append(body)
        return out
    }

    /// Marks a tensor to be stored as int64 (e.g. class targets), as PyTorch would.
    public mutating func setInt64(_ name: String, _ tensor: Tensor) {
        tensors[name] = Entry(dtype: .i64, shape: tensor.shape, tensor: tensor)
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(serialized(), to: url)
    }
}

public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    /// One line: a newline in a path or tensor name is escaped.
    public var description: String { OneLine.escape("\(path): \(problem)") }
}

private func Float16Bits(_ bits: UInt16) -> Float {
    let sign: UInt32 = UInt32(bits & 0x8000) << 16
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0 {
        let value = Float(mantissa) * Float(pow(2.0, -24.0))
        return sign == 0 ? value : -value
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
}
