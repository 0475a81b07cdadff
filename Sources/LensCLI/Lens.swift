import ArgumentParser

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
}
