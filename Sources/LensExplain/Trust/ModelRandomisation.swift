import LensModels
import LensTensor

/// Model randomisation (Adebayo et al. 2018; Quantus's MPRT): the learnable layers are
/// re-initialised, cascading from the top layer down and each layer alone, and each method's maps
/// compared with the trained model's. A map that explains the model must change when the model
/// does; one that barely changes shows the input, not what the model learned.
public enum ModelRandomisation {
    /// Runs every method in `methods` (default: every registered one) on `sample` through the
    /// trained network and each randomised copy. Methods that do not apply to the model (Grad-CAM
    /// without a conv layer) are listed with their reason. `stepMaps` sees every map set (the
    /// method, the step's label "original", "cascade fc2", "alone conv1", and the maps), for the
    /// pictures of one face at each step.
    public static func run(_ network: Network, sample: TrustSample, settings: TrustSettings = TrustSettings(),
                           attribution: AttributionSettings = AttributionSettings(),
                           context: AttributionContext = AttributionContext(),
                           methods: [AttributionMethod] = AttributionMethod.allCases,
                           stepMaps: (AttributionMethod, String, Tensor) -> Void = { _, _, _ in },
                           progress: (Double) -> Void = { _ in }) throws -> ModelRandomisationReport {
        try settings.validate()
        let learnable = try randomisableLayers(of: network, mapLayer: attribution.layer)
        let geometry = MapGeometry(network)
        let seed = randomisationSeed(settings.seed)
        let fresh = Network(architecture: network.architecture, seed: seed)

        // Every map set one randomised network gives, magnitudes per method.
        func magnitudes(of model: Network, label: String) throws -> [AttributionMethod: MethodMaps] {
            var model = model
            var result: [AttributionMethod: MethodMaps] = [:]
            for method in methods {
                let maps = try MethodMaps.run(method, &model, sample: sample, settings: attribution, context: context)
                if case .maps(let tensor) = maps { stepMaps(method, label, tensor) }
                result[method] = maps
            }
            return result
        }

        let topDown = Array(learnable.reversed())
        let total = Double(1 + topDown.count * 2 - 1)
        var done = 0.0
        let original = try magnitudes(of: network, label: "original")
        done += 1; progress(done / total)
        let reference = original.mapValues { maps -> [[Float]]? in
            if case .maps(let tensor) = maps { PixelMagnitudes.of(tensor, inputShape: geometry.inputShape) } else { nil }
        }

        func step(_ layers: [String], label: String) throws -> [AttributionMethod: MapAgreement] {
            let randomised = try magnitudes(of: try network.reinitialising(layers, from: fresh), label: label)
            done += 1; progress(done / total)
            var agreements: [AttributionMethod: MapAgreement] = [:]
            for (method, maps) in randomised {
                guard case .maps(let tensor) = maps, let before = reference[method] ?? nil else { continue }
                agreements[method] = MapAgreement(before, PixelMagnitudes.of(tensor, inputShape: geometry.inputShape),
                                                  height: geometry.height, width: geometry.width)
            }
            return agreements
        }

        var cascading: [(String, [String], [AttributionMethod: MapAgreement])] = []
        for count in 1...topDown.count {
            let layers = Array(topDown.prefix(count))
            cascading.append((topDown[count - 1], layers, try step(layers, label: "cascade \(topDown[count - 1])")))
        }
        // The top layer alone is the cascade's first step: measured once.
        var independent = [cascading[0]]
        for layer in topDown.dropFirst() {
            independent.append((layer, [layer], try step([layer], label: "alone \(layer)")))
        }

        let reports = methods.map { method -> MethodRandomisation in
            if case .notApplicable(let reason) = original[method] {
                return MethodRandomisation(method: method, notApplicable: reason, cascading: [], independent: [], verdict: nil)
            }
            func steps(_ list: [(String, [String], [AttributionMethod: MapAgreement])]) -> [RandomisationStep] {
                list.compactMap { layer, layers, agreements in
                    agreements[method].map { RandomisationStep(layer: layer, randomisedLayers: layers, agreement: $0) }
                }
            }
            let cascade = steps(cascading)
            let verdict = RandomisationVerdict(topStep: cascade.first, threshold: settings.randomisationThreshold,
                                               images: sample.indices.count)
            return MethodRandomisation(method: method, notApplicable: nil, cascading: cascade, independent: steps(independent),
                                       verdict: verdict)
        }
        return ModelRandomisationReport(settings: settings, randomisationSeed: seed, imageIndices: sample.indices,
                                        targets: sample.targets, methods: reports)
    }

    /// The seed of the re-initialised weights: derived from the check's seed and kept away from
    /// small seeds, so that it is not the seed the model was trained from (whose initial weights
    /// would come back).
    public static func randomisationSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x5EED_0F_7A11_D0A7 }

    /// The learnable layers, input to output; with a map layer (Grad-CAM's), there must be one
    /// between the input and it, or its activations would not depend on any weight.
    static func randomisableLayers(of network: Network, mapLayer: String?) throws -> [String] {
        let learnable = network.learnableLayerNames
        if let mapLayer {
            let index = try network.layerIndex(named: mapLayer)
            let below = learnable.filter { (network.architecture.index(ofLayer: $0) ?? .max) <= index }
            guard !below.isEmpty else {
                throw ExplainError.invalidInput("model randomisation needs a learnable layer between the input and the map's layer "
                                                + "\"\(mapLayer)\", and there is none (the layers with weights: "
                                                + "\(learnable.joined(separator: ", "))); pick a layer after the first of them")
            }
        }
        return learnable
    }
}
