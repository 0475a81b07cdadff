import Foundation
import LensStudio
import LensTestSupport
import Testing

/// The flags read their knobs' declarations: what `--help` shows as a flag's default is what
/// /api/settings gives the web forms, and `lens train --help` prints the learning rate's default.
@Suite struct SettingsHelpTests {
    /// Every flag that sets a knob: command, flag, and the knob's section and key in /api/settings.
    static let flags: [(command: String, flag: String, section: String, key: String)] = [
        ("train", "k", "training", "k"), ("train", "metric", "training", "metric"), ("train", "epochs", "training", "epochs"),
        ("train", "batch-size", "training", "batch_size"), ("train", "lr", "training", "learning_rate"),
        ("train", "optimizer", "training", "optimizer"), ("train", "momentum", "training", "momentum"),
        ("train", "weight-decay", "training", "weight_decay"), ("train", "patience", "training", "patience"),
        ("train", "augment-shift", "training", "augment_shift"), ("train", "seed", "training", "seed"),
        ("demo", "seed", "training", "seed"),
        ("explain", "steps", "attribution", "integration_steps"), ("explain", "rule", "attribution", "integration_rule"),
        ("explain", "baseline", "attribution", "baseline"), ("explain", "noise-samples", "attribution", "smooth_grad_samples"),
        ("explain", "noise", "attribution", "smooth_grad_noise"), ("explain", "window", "attribution", "occlusion_window"),
        ("explain", "stride", "attribution", "occlusion_stride"), ("explain", "occlusion-value", "attribution", "occlusion_value"),
        ("explain", "k", "inspection", "neighbors"),
        ("explain", "space", "inspection", "nearest_space"), ("explain", "unusual-percentile", "inspection", "unusual_percentile"),
        ("explain", "unusual-margin", "inspection", "unusual_margin"),
        ("explain", "top", "inspection", "top_images"), ("explain", "samples", "trust", "samples"),
        ("explain", "step-fraction", "trust", "step_fraction"),
        ("explain", "limit", "explain", "limit"), ("explain", "max-units", "explain", "max_units"),
        ("predict", "top", "explain", "top"), ("train", "size", "explain", "size"), ("demo", "size", "explain", "size"),
    ]

    /// Each subcommand's options by long name, as ArgumentParser describes them (`--experimental-dump-help`).
    private func arguments() throws -> [String: [String: [String: Any]]] {
        let scratch = try ScratchFolder()
        let outcome = try LensBinary.run(["--experimental-dump-help"], in: scratch.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        var result: [String: [String: [String: Any]]] = [:]
        for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
            guard let name = subcommand["commandName"] as? String else { continue }
            for argument in subcommand["arguments"] as? [[String: Any]] ?? [] {
                for long in (argument["names"] as? [[String: Any]] ?? []) where long["kind"] as? String == "long" {
                    if let flag = long["name"] as? String { result[name, default: [:]][flag] = argument }
                }
            }
        }
        return result
    }

    @Test func everyFlagsDefaultIsItsDeclarations() throws {
        let catalog = SettingsCatalog(), arguments = try arguments()
        for row in Self.flags {
            let setting = try #require(catalog.setting(row.section, row.key), "no knob \(row.section).\(row.key)")
            let argument = try #require(arguments[row.command]?[row.flag], "lens \(row.command) has no --\(row.flag)")
            let help = (argument["abstract"] as? String ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.hasPrefix(setting.help), "--\(row.flag): \(help) / \(setting.help)")
            if let shown = argument["defaultValue"] as? String {
                // A plain default: ArgumentParser prints the property's value, which must be the declaration's.
                #expect(shown == "\(setting.defaultValue)", "lens \(row.command) --\(row.flag) defaults to \(shown), the library to \(setting.defaultValue)")
            } else {
                // A default that depends on the model and the data: the help line prints each one.
                #expect(help.contains("(default: "), "--\(row.flag): \(help)")
                for value in [setting.defaultValue] + (setting.perModel ?? []).map(\.value) {
                    #expect(help.contains("\(value)"), "--\(row.flag) help does not show \(value): \(help)")
                }
            }
        }
    }

    @Test func trainHelpShowsTheLearningRatesDefault() throws {
        let scratch = try ScratchFolder()
        let outcome = try LensBinary.run(["train", "--help"], in: scratch.url)
        let text = outcome.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let learningRate = try #require(SettingsCatalog().setting("training", "learning_rate"))
        // Every model's own on small data (softmax's is SGD's), then the large-data exceptions.
        #expect(text.contains("--lr <lr> \(learningRate.help) (default: softmax 0.005, mlp \(learningRate.defaultValue), cnn"), "\(outcome.stdout)")
        #expect(text.contains("cnn 0.002"), "\(outcome.stdout)")
        #expect(text.contains("(default: adam; softmax with up to 5000 training images: sgd)"), "\(outcome.stdout)")
    }
}
