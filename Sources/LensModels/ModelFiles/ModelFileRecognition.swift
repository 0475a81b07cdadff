import Foundation
import LensTensor

extension ModelFile {
    /// Whether the file at `url` is a NeuralLens model, from its safetensors header alone (read
    /// without the weights): what decides that a model may be replaced by another.
    public static func recognizes(fileAt url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return false }
        let length = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length >= 2, length <= UInt64(SafetensorsFile.maximumHeaderBytes),
              let header = try? handle.read(upToCount: Int(length)), header.count == Int(length),
              let object = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any],
              let metadata = object["__metadata__"] as? [String: Any] else { return false }
        return metadata["format"] as? String == formatName
    }
}
