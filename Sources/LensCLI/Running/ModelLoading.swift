import Foundation
import LensModels
import LensONNX

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
        if path.lowercased().hasSuffix(".onnx") { return try loadONNX(path, importer: ONNXImport()) }
        return try ModelFile(contentsOf: URL(fileURLWithPath: path))
    }

    /// An ONNX classifier (`torch.onnx.export`), its notes printed.
    static func loadONNX(_ path: String, importer: ONNXImport) throws -> ModelFile {
        let result = try importer.load(contentsOf: URL(fileURLWithPath: path))
        for note in result.notes { Terminal.status("note: \(note)") }
        return result.model
    }
}
