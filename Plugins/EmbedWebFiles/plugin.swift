import Foundation
import PackagePlugin

/// Compiles every file of the target's Resources/web folder into the target, so that a copied
/// `lens` needs nothing beside it: writes EmbeddedWebFiles.swift, one base64 literal per file
/// (which any file's bytes survive). The folder is listed at each build, so a file added there is
/// served without a list to edit. The work is a short POSIX shell script, not a tool target: the
/// fuzz build compiles every target with libFuzzer, whose `main` a tool of our own would clash with.
@main struct EmbedWebFiles: BuildToolPlugin {
    static let script = #"""
    set -e
    out=$2.tmp
    {
        echo '// Generated at build time by the EmbedWebFiles plugin from Resources/web; edit those files, not this.'
        echo ''
        echo '/// The web app'"'"'s files by name, base64-encoded.'
        echo 'let embeddedWebFiles: [String: String] = ['
        for file in "$1"/*; do
            name=${file##*/}
            case $name in *[!A-Za-z0-9._-]*) echo "Resources/web/$name: only letters, digits, '.', '_' and '-' in names" >&2; exit 1 ;; esac
            [ -f "$file" ] || continue
            printf '    "%s": "%s",\n' "$name" "$(base64 < "$file" | tr -d '\n')"
        done
        echo ']'
    } > "$out"
    mv "$out" "$2"
    """#

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        // `directoryURL` needs tools version 6.1; the package is 6.0.
        let folder = URL(fileURLWithPath: target.directory.string).appending(path: "Resources/web")
        let inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebFiles.swift")
        return [.buildCommand(displayName: "Embedding the web app's \(inputs.count) files",
                              executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", Self.script, "sh", folder.path, output.path],
                              // The folder itself too, so that adding or removing a file runs it again.
                              inputFiles: inputs + [folder], outputFiles: [output])]
    }
}
