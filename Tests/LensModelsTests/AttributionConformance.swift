import Foundation
import LensExplain
import LensModels
import LensTensor
import Testing

/// The fixtures' `attr.*` tensors, made again through LensExplain's registry.
///
/// Every registered method runs under its `fixtureName` (its map is `attr.<fixtureName>`, its
/// convergence delta `attr.<fixtureName>.delta`, each auxiliary tensor `attr.<key>`), with the
/// settings read from the metadata sentence of that name; integrated gradients runs a second time
/// as `integrated_gradients_gl`, the fixtures' Gauss–Legendre variant. A run whose map the file
/// lacks is skipped (the MLP has no Grad-CAM); the caller fails on any `attr.*` tensor left over.
enum AttributionConformance {
    static var runs: [(mapName: String, method: AttributionMethod)] {
        AttributionMethod.allCases.map { ($0.fixtureName, $0) } + [("integrated_gradients_gl", .integratedGradients)]
    }

    /// Runs and compares; returns the names of the tensors it checked (or, for the SmoothGrad
    /// noise, used). Mismatches are recorded as issues.
    static func check(_ loaded: LoadedFixture, fixture: String) throws -> Set<String> {
        var checked = Set<String>()
        for (mapName, method) in runs where loaded.file["attr." + mapName] != nil {
            var settings = try self.settings(for: method, mapName: mapName, loaded)
            settings.batchSize = 2   // several batches even on these three-image fixtures
            var context = AttributionContext()
            if method == .smoothgrad {
                let noise: Tensor = try #require(loaded.file["attr.smoothgrad.noise"], "\(fixture): attr.smoothgrad without its noise")
                context.smoothGradNoise = noise
                checked.insert("attr.smoothgrad.noise")
            }
            var network = loaded.network
            let result = try method.attribute(&network, inputs: loaded.input, targets: loaded.targets, settings: settings, context: context)
            var outputs = ["attr." + mapName: result.maps]
            if let delta = result.convergenceDelta { outputs["attr.\(mapName).delta"] = Tensor(shape: [delta.count], scalars: delta) }
            for (key, tensor) in result.auxiliary { outputs["attr." + key] = tensor }
            for (name, actual) in outputs.sorted(by: { $0.key < $1.key }) {
                guard let expected = loaded.file[name] else { continue }
                checked.insert(name)
                if let problem = attributionMismatch(actual, expected) {
                    Issue.record("\(fixture): \(name) (\(method.rawValue), \(result.settings)) differs: \(problem)")
                }
            }
        }
        return checked
    }

    /// The settings a fixture states for a run, from its metadata sentence (e.g. "baseline zeros,
    /// 32 steps, midpoint rule"; "window 4x4, stride 2, baseline 0"; Grad-CAM's "layer relu2").
    static func settings(for method: AttributionMethod, mapName: String, _ loaded: LoadedFixture) throws -> AttributionSettings {
        var settings = AttributionSettings()
        let sentence = loaded.file.metadata[mapName] ?? ""
        func number(_ pattern: Regex<(Substring, Substring)>) -> Int? { sentence.firstMatch(of: pattern).flatMap { Int($0.1) } }
        switch method {
        case .integratedGradients:
            settings.integrationSteps = try #require(number(#/(\d+) steps/#), "steps in metadata \"\(mapName)\"")
            settings.integrationRule = sentence.contains("midpoint") ? .midpoint : .gaussLegendre
            #expect(sentence.contains("midpoint") || sentence.contains("Gauss-Legendre"), "rule in metadata \"\(mapName)\"")
            #expect(sentence.contains("baseline zeros"), "only the zero baseline is in the fixtures: \(sentence)")
        case .occlusion:
            settings.occlusionWindow = try #require(number(#/window (\d+)x\d+/#), "window in metadata \"\(mapName)\"")
            settings.occlusionStride = try #require(number(#/stride (\d+)/#), "stride in metadata \"\(mapName)\"")
            settings.occlusionValue = Float(try #require(number(#/baseline (\d+)/#), "baseline in metadata \"\(mapName)\""))
        case .gradcam, .guidedGradcam:
            let layer = loaded.file.metadata["gradcam"]?.firstMatch(of: #/layer (\w+)/#).map { String($0.1) }
            let name: String = try #require(layer, "the Grad-CAM layer in metadata \"gradcam\"")
            settings.layer = name
        case .saliency, .smoothgrad, .guidedBackprop, .deconvnet:
            break
        }
        return settings
    }
}
