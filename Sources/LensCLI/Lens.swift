import ArgumentParser
import Foundation
import LensTensor

/// The `lens` command: train image classifiers on a folder of images and see how they see.
public struct Lens: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lens",
        abstract: "Train image classifiers and see how they see.",
        discussion: """
        Start with the lecture, end to end, on the embedded ORL faces:
          lens demo
        Then your own folder of images (one subfolder per class):
          lens dataset info ~/photos
          lens train --data ~/photos --model cnn --out faces.safetensors
          lens evaluate --model faces.safetensors
          lens predict --model faces.safetensors me.jpg
        And see why it decides:
          lens explain --model faces.safetensors --method gradcam --image me.jpg --out maps
          lens report --model faces.safetensors --out faces-report
        """,
        version: "0.1.0",
        subcommands: [DemoCommand.self, DatasetCommand.self, TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ExplainCommand.self, ReportCommand.self, ServeCommand.self]
    )

    public init() {}

    /// ArgumentParser's `main`, plus what a user's shell expects: signals answered with a line and
    /// 128 + signal (training stops at the end of a batch, see `Interruption`), and a failed
    /// write to stdout (a full disk, a closed pipe) reported and made an error instead of exit 0.
    public static func main() {
        signal(SIGPIPE, SIG_IGN)
        Interruption.shared.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let interrupted as Interrupted {
            finishOutput()
            Terminal.status("lens: \(interrupted.message)")
            Foundation.exit(Interruption.exitCode(interrupted.signal))
        } catch {
            finishOutput()
            let line = userMessage(for: error)
            exit(withError: line == message(for: error) ? error : CLIError(line))
        }
        finishOutput()
    }

    /// The line a person reads for `error`: the library's words, with its advice told as the
    /// flag that follows it where there is one.
    static func userMessage(for error: Error) -> String {
        let text: String
        if error is CocoaError || (error as NSError).domain == NSCocoaErrorDomain {
            // A Foundation error that reached here unworded: its file and reason, never its domain and code.
            text = FileProblem.message(error)
        } else if String(reflecting: type(of: error)).hasPrefix("Lens") {
            // Lens's own errors are one line: a newline in a file or class name they quote is escaped.
            text = OneLine.escape(message(for: error))
        } else {
            text = message(for: error)
        }
        return ImageOptions.flagged(text)
    }

    /// Flushes stdout and ends the process with an error when anything written to it was lost.
    private static func finishOutput() {
        errno = 0
        // fflush(NULL): Swift 6 will not name C's `stdout` global; it fails when any write to it failed.
        guard fflush(nil) != 0 else { return }
        // A reader that went away (`lens … | head`) is no news to the user: end as SIGPIPE would.
        if errno == EPIPE { Foundation.exit(128 + SIGPIPE) }
        let reason = errno == 0 ? "write error" : String(cString: strerror(errno))
        Terminal.status("lens: cannot write the output to stdout: \(reason)")
        Foundation.exit(74)  // EX_IOERR
    }
}
