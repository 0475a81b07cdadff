import Foundation
import PackagePlugin

/// Compiles every file of the target's Resources/web folder into the target (see embed-web-files).
/// The folder is listed at each build, so a file added there is served without a list to edit.
@main struct EmbedWebFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        // `directoryURL` needs tools version 6.1; the package is 6.0.
        let folder = URL(fileURLWithPath: target.directory.string).appending(path: "Resources/web")
        let inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebFiles.swift")
        return [.buildCommand(displayName: "Embedding the web app's \(inputs.count) files",
                              executable: try context.tool(named: "embed-web-files").url,
                              arguments: [folder.path, output.path],
                              // The folder itself too, so that adding or removing a file runs it again.
                              inputFiles: inputs + [folder], outputFiles: [output])]
    }
}
