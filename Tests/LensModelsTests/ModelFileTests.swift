import Foundation
import Testing
import LensData
import LensTensor
import LensTestSupport
@testable import LensModels

private func smallNetworkModel() throws -> ModelFile {
    let architecture = try Architecture.parse("conv3x3x4,pool,fc8", inputShape: [1, 8, 8], classes: 3)
    let network = Network(architecture: architecture, seed: 7)
    let provenance = ModelProvenance(kind: .cnn, classNames: ["a", "b", "c"], preprocessing: Preprocessing(size: 8),
                                     dataset: "orl", split: .orl, datasetCount: 30)
    return ModelFile(provenance: provenance, model: .network(network),
                     history: TrainingHistory(epochs: [EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, learningRate: 0.001, seconds: 0.1)], bestEpoch: 1),
                     options: TrainingOptions())
}

private func problem(_ file: SafetensorsFile) -> String? {
    do { _ = try ModelFile(file: file, path: "m.safetensors"); return nil } catch { return "\(error)" }
}

@Test func networkModelRoundTripsWithSameLogits() throws {
    let model = try smallNetworkModel()
    let scratch = try ScratchFolder()
    let directory = scratch.url
    let url = directory.appendingPathComponent("m.safetensors")
    try model.write(to: url)
    let back = try ModelFile(contentsOf: url)
    var generator = SeededGenerator(seed: 1)
    let input = Tensor(shape: [2, 1, 8, 8], scalars: (0..<128).map { _ in generator.nextUniform() })
    guard case .network(let original) = model.model, case .network(let loaded) = back.model else {
        Issue.record("expected networks"); return
    }
    #expect(loaded.logits(input) == original.logits(input))
    #expect(back.provenance == model.provenance)
    #expect(back.history == model.history)
    #expect(back.options == model.options)
    // PyTorch names and layouts
    let names = Set(try SafetensorsFile(contentsOf: url).names)
    #expect(names.contains("conv1.weight"))
    #expect(try SafetensorsFile(contentsOf: url)["conv1.weight"]?.shape == [4, 1, 3, 3])
}

@Test func nearestNeighbourModelRoundTrips() throws {
    let classifier = try NearestNeighborClassifier(k: 2, metric: .cosine, references: Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 12 }),
                                                   labels: [0, 1, 1], classCount: 2)
    let provenance = ModelProvenance(kind: .knn, classNames: ["x", "y"], preprocessing: Preprocessing(size: 2), dataset: "d",
                                     split: .folder, datasetCount: 5)
    let data = try ModelFile(provenance: provenance, model: .nearestNeighbor(classifier)).serialized()
    let back = try ModelFile(file: SafetensorsFile(data: data), path: "m")
    guard case .nearestNeighbor(let loaded) = back.model else { Issue.record("expected k-NN"); return }
    #expect(loaded.k == 2 && loaded.metric == .cosine && loaded.labels == [0, 1, 1])
    #expect(loaded.references == classifier.references)
}

@Test func unknownFormatVersionIsRejected() throws {
    var file = try SafetensorsFile(data: try smallNetworkModel().serialized())
    file.metadata["format_version"] = "99"
    #expect(problem(file)?.contains("format version 99") == true)
    file.metadata["format"] = nil
    #expect(problem(file)?.contains("not a NeuralLens model") == true)
}

@Test func parameterShapeThatDoesNotMatchTheArchitectureIsRejected() throws {
    var file = try SafetensorsFile(data: try smallNetworkModel().serialized())
    file["conv1.weight"] = Tensor(shape: [4, 1, 5, 5])
    let message = problem(file)
    #expect(message?.contains("conv1.weight") == true)
    var missing = try SafetensorsFile(data: try smallNetworkModel().serialized())
    missing["fc1.bias"] = nil
    #expect(problem(missing)?.contains("fc1.bias") == true)
}

@Test func architectureThatDoesNotFitTheClassesIsRejected() throws {
    var file = try SafetensorsFile(data: try smallNetworkModel().serialized())
    file.metadata["classes"] = #"["a","b"]"#
    var provenance = try JSONDecoder().decode(ModelProvenance.self, from: Data(file.metadata["provenance"]!.utf8))
    provenance.classNames = ["a", "b"]
    file.metadata["provenance"] = String(decoding: try JSONEncoder().encode(provenance), as: UTF8.self)
    #expect(problem(file)?.contains("2 classes") == true)
    file.metadata["architecture"] = "[{\"op\": \"warp\"}]"
    #expect(problem(file)?.contains("architecture") == true)
}

@Test func truncatedModelFileIsAClearError() throws {
    let scratch = try ScratchFolder()
    let directory = scratch.url
    let url = directory.appendingPathComponent("cut.safetensors")
    let data = try smallNetworkModel().serialized()
    try data.prefix(data.count / 2).write(to: url)
    do {
        _ = try ModelFile(contentsOf: url)
        Issue.record("a truncated model must not load")
    } catch {
        #expect("\(error)".contains("cut.safetensors"))
    }
    #expect(throws: SafetensorsError.self) { try ModelFile(contentsOf: directory.appendingPathComponent("absent.safetensors")) }
}
