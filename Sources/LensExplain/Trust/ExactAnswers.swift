import LensModels
import LensTensor

/// Answers known in closed form, checked live on the user's own model: for softmax regression
/// (one linear layer, logits = W·x + b in raw-pixel space, centring folded in) the saliency of
/// class c is W[c], and integrated gradients from a zero baseline is W[c] ⊙ x.
///
/// The methods are looked up in the registry by name, so a build whose registry lacks one
/// (integrated gradients arrives on its own branch) reports it as not registered.
public enum ExactAnswers {
    /// A method checked, what its map must equal and how to compute that.
    struct Expectation: Sendable {
        var name: String
        var expected: String
        var settings: @Sendable (inout AttributionSettings) -> Void
        var answer: @Sendable (_ weights: ArraySlice<Float>, _ input: ArraySlice<Float>) -> [Float]
    }

    /// What each checked method must equal, by registry name.
    static let expectations = [
        Expectation(name: "saliency", expected: "the target class's weight row", settings: { _ in },
                    answer: { weights, _ in Array(weights) }),
        Expectation(name: "integrated-gradients", expected: "the weight row times the input (zero baseline)",
                    settings: { $0.baseline = .zeros }, answer: { weights, input in zip(weights, input).map(*) }),
    ]

    /// The single linear layer of a softmax-regression network (only flattens before it), or nil.
    public static func linearLayer(of network: Network) -> String? {
        let layers = network.architecture.layers
        guard let last = layers.last, case .linear = last.operation,
              layers.dropLast().allSatisfy({ $0.operation == .flatten }) else { return nil }
        return last.name
    }

    /// Each expectation's largest absolute difference over `sample`'s images; throws unless the
    /// network is softmax regression.
    public static func check(_ network: Network, sample: TrustSample,
                             attribution: AttributionSettings = AttributionSettings()) throws -> [ExactAnswerCheck] {
        guard let layer = linearLayer(of: network) else {
            throw ExplainError.notApplicable(method: "the exact-answer check", model: "network with hidden or conv layers",
                                             instead: "it needs softmax regression, whose maps are known in closed form")
        }
        let prefix = network.architecture.layers[try network.layerIndex(named: layer)].parameterPrefix
        guard let weights = network.parameters.first(where: { $0.name == prefix + ".weight" })?.tensor else {
            throw ExplainError.invalidInput("layer \(layer) has no weight")
        }
        let features = weights.shape.last ?? 0
        var model = network
        return try expectations.map { expectation in
            guard let method = AttributionMethod(rawValue: expectation.name) else {
                return ExactAnswerCheck(method: expectation.name, expected: expectation.expected, largestDifference: nil,
                                        largestExpected: nil, notAvailable: "\(expectation.name) is not registered in this build")
            }
            var settings = attribution
            expectation.settings(&settings)
            let maps = try method.attribute(&model, inputs: sample.images, targets: sample.targets, settings: settings).maps
            var difference: Float = 0, scale: Float = 0
            for (item, target) in sample.targets.enumerated() {
                let row = weights.scalars[(target * features)..<((target + 1) * features)]
                let input = sample.images.scalars[(item * features)..<((item + 1) * features)]
                let expected = expectation.answer(row, input)
                for (j, value) in expected.enumerated() {
                    difference = max(difference, abs(maps.scalars[item * features + j] - value))
                    scale = max(scale, abs(value))
                }
            }
            return ExactAnswerCheck(method: expectation.name, expected: expectation.expected, largestDifference: difference,
                                    largestExpected: scale, notAvailable: nil)
        }
    }
}

/// One closed-form check: the largest difference between a method's maps and the exact answer.
public struct ExactAnswerCheck: Codable, Sendable, Equatable {
    public var method: String
    /// What the map must equal, in words.
    public var expected: String
    /// max |map − exact| over every pixel of every image; nil when the method was not run.
    public var largestDifference: Float?
    /// max |exact|, so the difference can be read against the size of the answer.
    public var largestExpected: Float?
    /// Why the check was not run (the method is not in this build's registry).
    public var notAvailable: String?
}
