import Foundation

// Writes the Swift source that compiles the web app's files into the `lens` executable, so that a
// copied binary needs nothing beside it. Run by the EmbedWebFiles build plugin at each build:
//     embed-web-files WEB_FOLDER OUTPUT.swift
// Every regular file directly in WEB_FOLDER becomes one entry (a new file there is served with no
// list to update); its bytes are kept as base64, which any file's bytes survive as a literal.
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: embed-web-files WEB_FOLDER OUTPUT.swift\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1])
let names: [String]
do {
    names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        .filter { !$0.hasPrefix(".") }
        .filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        .sorted()
} catch {
    FileHandle.standardError.write(Data("embed-web-files: cannot list \(folder.path): \(error.localizedDescription)\n".utf8))
    exit(1)
}
var source = """
// Generated at build time by embed-web-files from the files in Resources/web; edit those, not this.

/// The web app's files by name, base64-encoded.
let embeddedWebFiles: [String: String] = [

"""
for name in names {
    guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
        FileHandle.standardError.write(Data("embed-web-files: cannot read \(name)\n".utf8))
        exit(1)
    }
    let quoted = name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
    source += "    \"\(quoted)\": \"\(data.base64EncodedString())\",\n"
}
source += "]\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: arguments[2]), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("embed-web-files: cannot write \(arguments[2]): \(error.localizedDescription)\n".utf8))
    exit(1)
}
