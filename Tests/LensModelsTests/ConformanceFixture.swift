import Foundation
import LensModels
import LensTensor
import Testing

/// One PyTorch reference file from the conformance directory (see Conformance/README.md).
struct ConformanceFixture: Sendable, CustomTestStringConvertible {
    var url: URL
    var testDescription: String { url.lastPathComponent }

    /// The directory named by NEURALLENS_CONFORMANCE_DIR, or the copy bundled with the tests.
    static var directory: URL? {
        if let path = ProcessInfo.processInfo.environment["NEURALLENS_CONFORMANCE_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return Bundle.module.url(forResource: "Conformance", withExtension: nil)
    }

    /// Every `*.safetensors` file of `directory`, sorted by name.
    static var all: [ConformanceFixture] {
        guard let directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".safetensors") }.sorted()
            .map { ConformanceFixture(url: directory.appendingPathComponent($0)) }
    }
}

/// A fixture file opened: its tensors, the network it describes, and the settings in its metadata.
struct LoadedFixture {
    var file: SafetensorsFile
    var network: Network
    var input: Tensor
    var targets: [Int]

    init(_ fixture: ConformanceFixture) throws {
        file = try SafetensorsFile(contentsOf: fixture.url)
        guard let json = file.metadata["architecture"] else { throw FixtureError("no __metadata__[\"architecture\"]") }
        guard let input = file["input"], let target = file["target"] else { throw FixtureError("no input or target tensor") }
        self.input = input
        targets = target.scalars.map { Int($0) }
        // Without "input_shape" (the MLP), the items of `input` give it.
        let inputShape = try file.metadata["input_shape"].map { try JSONDecoder().decode([Int].self, from: Data($0.utf8)) }
            ?? Array(input.shape.dropFirst())
        network = Network(architecture: try Architecture(json: json, inputShape: inputShape), seed: 0)
        let names = Set(network.parameters.map(\.name))
        try network.load(parameters: file.tensors.filter { names.contains($0.key) }.mapValues(\.tensor))
    }

    var parameterNames: [String] { network.parameters.map(\.name) }

    /// Tensors whose names start with `prefix`, keyed by the rest of the name.
    func tensors(prefixed prefix: String) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix(prefix) { result[String(name.dropFirst(prefix.count))] = file[name] }
        return result
    }

    /// The number after `key` in a metadata sentence like "lr 0.05 momentum 0.9 weight_decay 1e-3".
    func setting(_ key: String, in metadataKey: String) -> Float? {
        guard let sentence = file.metadata[metadataKey] else { return nil }
        let words = sentence.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "(" || $0 == ")" })
        guard let index = words.firstIndex(where: { $0 == key }), index + 1 < words.count else { return nil }
        return Float(words[index + 1])
    }

    /// Both betas of "betas (0.9, 0.999)".
    func betas(in metadataKey: String) -> (Float, Float)? {
        guard let sentence = file.metadata[metadataKey],
              let match = sentence.firstMatch(of: #/betas\s*\(\s*([0-9.eE+-]+)\s*,\s*([0-9.eE+-]+)\s*\)/#),
              let beta1 = Float(match.1), let beta2 = Float(match.2) else { return nil }
        return (beta1, beta2)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
