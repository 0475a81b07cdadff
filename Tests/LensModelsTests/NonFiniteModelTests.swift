import Foundation
import Testing
import LensData
import LensTensor
@testable import LensModels

/// Model files from elsewhere may hold NaN or infinite parameters: loading refuses them, naming the tensor,
/// instead of printing `nan` probabilities or crashing in the k-NN vote.
@Suite("Model files with non-finite parameters are refused")
struct NonFiniteModelTests {
    private func networkFile() throws -> SafetensorsFile {
        let architecture = try Architecture.parse("fc4", inputShape: [1, 2, 2], classes: 2)
        let provenance = ModelProvenance(kind: .mlp, classNames: ["a", "b"], preprocessing: Preprocessing(size: 2),
                                         dataset: "d", split: .folder, datasetCount: 4)
        let model = ModelFile(provenance: provenance, model: .network(Network(architecture: architecture, seed: 1)))
        return try SafetensorsFile(data: try model.serialized())
    }

    private func nearestNeighborFile() throws -> SafetensorsFile {
        let classifier = try NearestNeighborClassifier(k: 1, metric: .euclidean, references: Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init)),
                                                       labels: [0, 1, 1], classCount: 2)
        let provenance = ModelProvenance(kind: .knn, classNames: ["x", "y"], preprocessing: Preprocessing(size: 2), dataset: "d",
                                         split: .folder, datasetCount: 5)
        return try SafetensorsFile(data: try ModelFile(provenance: provenance, model: .nearestNeighbor(classifier)).serialized())
    }

    private func problem(_ file: SafetensorsFile) -> String? {
        do { _ = try ModelFile(file: file, path: "m.safetensors"); return nil } catch { return "\(error)" }
    }

    /// `file` with element `index` of tensor `name` replaced by `value`, written and read back as bytes.
    private func poisoned(_ file: SafetensorsFile, _ name: String, at index: Int, with value: Float) throws -> SafetensorsFile {
        var file = file
        var tensor = try #require(file[name])
        tensor.scalars[index] = value
        file[name] = tensor
        return try SafetensorsFile(data: file.serialized())
    }

    @Test("a network weight or bias that is NaN or infinite", arguments: [Float.nan, .infinity, -.infinity])
    func networkParameter(value: Float) throws {
        let clean = try networkFile()
        #expect(problem(clean) == nil, "the unpoisoned file loads")
        for name in ["fc1.weight", "fc2.bias"] {
            let message = problem(try poisoned(clean, name, at: 1, with: value))
            #expect(message?.hasPrefix("model m.safetensors tensor \(name) holds") == true, "\(message ?? "loaded")")
            #expect(message?.contains("element 1") == true, "\(message ?? "loaded")")
        }
    }

    @Test("a k-NN training vector that is NaN")
    func nearestNeighborVector() throws {
        let message = problem(try poisoned(try nearestNeighborFile(), "train.images", at: 5, with: .nan))
        #expect(message?.contains("tensor train.images holds nan at element 5") == true, "\(message ?? "loaded")")
    }

    @Test("a k-NN label too large for an Int, or not a whole number", arguments: [Float(1e30), 0.5, -1])
    func nearestNeighborLabel(value: Float) throws {
        let message = problem(try poisoned(try nearestNeighborFile(), "train.labels", at: 0, with: value))
        #expect(message?.contains("train.labels holds a class index outside 0..<2") == true, "\(message ?? "loaded")")
    }
}
