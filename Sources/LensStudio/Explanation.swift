import Foundation
import LensExplain
import LensModels
import LensTensor

/// Attribution maps of one image, every method drawn on one shared colour scale.
public struct Explanation: Codable, Sendable {
    public struct Map: Codable, Sendable {
        /// The method's API name (`AttributionMethod.rawValue`).
        public var method: String
        public var title: String
        public var summary: String
        /// max |·| over channels, drawn from 0 (black) to the shared `scale` (white), as a PNG data URI.
        public var image: String
        /// The largest |value| of this map before the shared scale clipped it.
        public var maxMagnitude: Float
        /// The settings the method used, by name.
        public var settings: [String: String]
        /// Integrated gradients' convergence delta, when the method has one.
        public var convergenceDelta: Float?
        /// The raw signed map [C, H, W] as row-major values, only when asked for.
        public var raw: [Float]?
    }

    public var prediction: Prediction
    /// The class the maps explain (the predicted one unless another was asked for).
    public var target: String
    /// The input as the model saw it, as a PNG data URI.
    public var input: String
    /// Magnitude drawn as white in every map: the largest 99th percentile of |map| over the methods,
    /// so that one outlying pixel does not turn every map black.
    public var scale: Float
    /// Shape of each raw map.
    public var shape: [Int]
    public var maps: [Map]
}

/// What to explain and how.
public struct ExplanationRequest: Sendable {
    /// The methods to run, in registry order; nil: every registered method.
    public var methods: [AttributionMethod]?
    /// The class to explain by name; nil: the predicted class.
    public var targetClass: String?
    public var settings = AttributionSettings()
    /// Include each map's raw values.
    public var includeRaw = false

    public init(methods: [AttributionMethod]? = nil, targetClass: String? = nil) {
        self.methods = methods
        self.targetClass = targetClass
    }
}

extension ModelFile {
    /// Attribution maps of `image` [C, H, W]. Works on its own copy of the network, so several
    /// explanations may run at once on one model file.
    public func explain(_ image: Tensor, _ request: ExplanationRequest = ExplanationRequest()) throws -> Explanation {
        guard case .network(var network) = model else {
            throw StudioError(.notApplicable, "attribution maps need a network (softmax, MLP or CNN); a \(provenance.kind.rawValue) model has no gradients")
        }
        let prediction = try prediction(image)
        let names = provenance.classNames
        var target = prediction.predictedIndex
        if let name = request.targetClass {
            guard let index = names.firstIndex(of: name) else {
                throw StudioError(.notFound, "no class named \"\(name)\"; the classes are \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? "…" : "")")
            }
            target = index
        }
        let batch = image.reshaped([1] + image.shape)
        var results: [AttributionResult] = []
        for method in request.methods ?? AttributionMethod.available(for: network.architecture) {
            do {
                results.append(try method.attribute(&network, inputs: batch, targets: [target], settings: request.settings))
            } catch let error as ExplainError {
                throw StudioError(.invalidInput, "\(method.title): \(error)")
            }
        }
        let magnitudes = results.map { Self.channelMagnitude($0.maps, shape: image.shape) }
        let scale = max(magnitudes.map { Self.percentile99($0.scalars) }.max() ?? 0, Float.leastNormalMagnitude)
        let maps = try zip(results, magnitudes).map { result, magnitude in
            Explanation.Map(method: result.method.rawValue, title: result.method.title, summary: result.method.summary,
                            image: try PNGImage.dataURI(magnitude, scale: .range(0, scale)),
                            maxMagnitude: magnitude.scalars.max() ?? 0, settings: result.settings,
                            convergenceDelta: result.convergenceDelta?.first,
                            raw: request.includeRaw ? result.maps.scalars : nil)
        }
        return Explanation(prediction: prediction, target: names[target], input: try ImageInput.dataURI(image),
                           scale: scale, shape: image.shape, maps: maps)
    }

    /// max |·| over the channels of the first item of `maps` [1, C, H, W], as [H, W].
    private static func channelMagnitude(_ maps: Tensor, shape: [Int]) -> Tensor {
        let channels = shape.count == 3 ? shape[0] : 1
        let plane = shape.count == 3 ? shape[1] * shape[2] : shape.reduce(1, *)
        var values = [Float](repeating: 0, count: plane)
        for c in 0..<channels {
            for i in 0..<plane { values[i] = max(values[i], abs(maps.scalars[c * plane + i])) }
        }
        return Tensor(shape: shape.count == 3 ? [shape[1], shape[2]] : [1, plane], scalars: values)
    }

    private static func percentile99(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    }
}
