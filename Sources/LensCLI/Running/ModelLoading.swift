import Foundation
import LensModels

extension ModelFile {
    /// The model file a flag names, with the mistakes a user makes told plainly (a folder given
    /// for a file) before the reader sees them.
    static func load(_ path: String, flag: String) throws -> ModelFile {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let models = (try? FileManager.default.contentsOfDirectory(atPath: path))?.filter { $0.hasSuffix(".safetensors") }.sorted() ?? []
            let hint = models.first.map { "; for example \(URL(fileURLWithPath: path).appendingPathComponent($0).path)" } ?? ""
            throw CLIError("\(flag) \(path) is a folder; give a model file (.safetensors) written by lens train\(hint)")
        }
        return try ModelFile(contentsOf: URL(fileURLWithPath: path))
    }
}
