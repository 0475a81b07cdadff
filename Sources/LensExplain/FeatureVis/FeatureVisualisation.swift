import Foundation
import LensModels
import LensTensor

/// Images made by gradient ascent for one objective, with what they reach.
public struct SyntheticImages: Sendable {
    public var objective: FeatureObjective
    /// [n, C, H, W] in [0, 1].
    public var images: Tensor
    /// Each image's objective without transformations.
    public var reached: [Float]
    /// Per step, the mean objective over the images under that step's random transformations.
    public var trace: [Float]
    /// For a class objective: each image's mean probability of the class under random transformations.
    public var classProbability: [Float]?
    /// Where in the image the objective looks (a unit of a spatial layer: its receptive field);
    /// nil when it sees the whole image. Only this part of `images` is shaped by the ascent.
    public var field: PatchBox?
}

/// Feature visualisation (Olah, Mordvintsev & Schubert, Distill 2017): Adam ascent on a
/// Fourier-parametrised image (`ParametrisedImage`) of an objective (`FeatureObjective`), each
/// step under a random shift, scale and rotation (`RandomTransform`), minus a diversity term
/// (`DiversityTerm`) when several images are made together. Seeded: the same settings give the
/// same images.
public enum FeatureVisualisation {
    /// Transformations averaged over for a class's probability.
    static let probabilityTrials = 16
    /// How many times a start that leaves the unit at 0 is redrawn, each time with twice the spread.
    static let startRedraws = 10

    /// `progress(step, steps)` is called after each step; a non-finite objective or gradient stops
    /// the ascent with an error naming the step, and nothing is returned.
    public static func run(network: Network, objective: FeatureObjective, settings: FeatureVisSettings = FeatureVisSettings(),
                           progress: ((Int, Int) -> Void)? = nil) throws -> SyntheticImages {
        try settings.validate()
        try objective.validate(for: network)
        let shape = network.architecture.inputShape
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let image = ParametrisedImage(channels: channels, height: height, width: width)
        let n = settings.images
        var generator = SeededGenerator(seed: UInt64(settings.seed))
        var network = network
        var parameters = try (0..<n).map { _ in try excitedStart(image, shape: shape, &network, objective, using: &generator) }
        var adam = [AdamAscent](repeating: AdamAscent(count: image.parameterCount, learningRate: Float(settings.learningRate)), count: n)
        var trace: [Float] = []
        trace.reserveCapacity(settings.steps)
        let diversityWeight = n > 1 ? Float(settings.diversity) : 0

        for step in 1...settings.steps {
            let pixels = parameters.map { image.pixels($0[...]) }
            let transforms = (0..<n).map { _ in RandomTransform.random(side: min(height, width), using: &generator) }
            let warped = zip(pixels, transforms).flatMap { $1.apply($0, channels: channels, height: height, width: width) }
            let output = try objectiveOutput(&network, Tensor(shape: [n] + shape, scalars: warped), objective)
            let values = objective.values(output)
            let mean = values.reduce(0, +) / Float(n)
            guard mean.isFinite else { throw nonFinite(at: step, of: settings.steps, what: "objective") }
            trace.append(mean)
            var layerGradient = objective.gradient(like: output)
            if diversityWeight > 0 {
                let diversity = DiversityTerm.penalty(output, weight: diversityWeight)
                for i in layerGradient.scalars.indices { layerGradient.scalars[i] -= diversity.gradient.scalars[i] }
            }
            let inputGradient = try network.backward(from: objective.layer, outputGradient: layerGradient, parameterGradients: .skip).input
            let plane = channels * height * width
            for i in 0..<n {
                let pixelGradient = transforms[i].adjoint(inputGradient.scalars[(i * plane)..<((i + 1) * plane)],
                                                         channels: channels, height: height, width: width)
                let gradient = image.parameterGradient(pixels: pixels[i], pixelGradient: pixelGradient[...])
                guard gradient.allSatisfy(\.isFinite) else { throw nonFinite(at: step, of: settings.steps, what: "gradient") }
                adam[i].ascend(&parameters[i], along: gradient)
            }
            progress?(step, settings.steps)
        }

        let images = Tensor(shape: [n] + shape, scalars: parameters.flatMap { image.pixels($0[...]) })
        let reached = objective.values(try objectiveOutput(&network, images, objective))
        guard reached.allSatisfy(\.isFinite) else { throw nonFinite(at: settings.steps, of: settings.steps, what: "objective") }
        var probability: [Float]?
        if case .classLogit(let target) = objective {
            probability = (0..<n).map { i in
                let pixels = Array(images.scalars[(i * images.count / n)..<((i + 1) * images.count / n)])
                let jittered = (0..<probabilityTrials).flatMap { _ in
                    RandomTransform.random(side: min(height, width), using: &generator).apply(pixels, channels: channels, height: height, width: width)
                }
                let probabilities = network.probabilities(Tensor(shape: [probabilityTrials] + shape, scalars: jittered))
                let classes = network.architecture.classCount
                return (0..<probabilityTrials).map { probabilities.scalars[$0 * classes + target] }.reduce(0, +) / Float(probabilityTrials)
            }
        }
        return SyntheticImages(objective: objective, images: images, reached: reached, trace: trace, classProbability: probability,
                               field: try objective.receptiveBox(in: network))
    }

    /// A start the unit responds to. A unit behind a ReLU that the near-grey start leaves at 0
    /// passes no gradient, and the ascent would never move (the unit at the centre of a flat grey
    /// image often is; a channel's mean is not, its border positions see the padding's edge). Such
    /// a start is redrawn with twice the spread, up to `startRedraws` times, so that it has the
    /// contrast to open the unit; a start that already excites it is kept as drawn.
    private static func excitedStart(_ image: ParametrisedImage, shape: [Int], _ network: inout Network, _ objective: FeatureObjective,
                                     using generator: inout SeededGenerator) throws -> [Float] {
        var parameters = image.initialParameters(using: &generator)
        guard objective.layer != nil else { return parameters }   // a logit has a gradient at any value
        var spread: Float = 1
        for _ in 0..<startRedraws {
            let value = objective.values(try objectiveOutput(&network, Tensor(shape: [1] + shape, scalars: image.pixels(parameters[...])), objective))
            guard value.first == 0 else { break }
            spread *= 2
            parameters = image.initialParameters(using: &generator).map { $0 * spread }
        }
        return parameters
    }

    /// The output the objective reads: its layer's, or the logits; keeps the caches for backward.
    private static func objectiveOutput(_ network: inout Network, _ input: Tensor, _ objective: FeatureObjective) throws -> Tensor {
        guard let layer = objective.layer else { return network.forward(input) }
        guard let output = network.forward(input, capturing: [layer]).activations[layer] else {
            throw ExplainError.invalidInput("the network returned no output for layer \(layer)")
        }
        return output
    }

    private static func nonFinite(at step: Int, of steps: Int, what: String) -> ExplainError {
        .invalidInput("feature visualisation stopped at step \(step) of \(steps): the \(what) is not a finite number (NaN or infinity); no image was kept")
    }
}

/// Adam (Kingma & Ba) climbing: θ += lr · m̂ / (√v̂ + ε).
struct AdamAscent: Sendable {
    var m: [Float], v: [Float]
    var step = 0
    let learningRate: Float
    let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8

    init(count: Int, learningRate: Float) {
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
        self.learningRate = learningRate
    }

    mutating func ascend(_ parameters: inout [Float], along gradient: [Float]) {
        step += 1
        let bias1 = 1 - pow(beta1, Float(step)), bias2 = 1 - pow(beta2, Float(step))
        for i in parameters.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * gradient[i]
            v[i] = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i]
            parameters[i] += learningRate * (m[i] / bias1) / ((v[i] / bias2).squareRoot() + epsilon)
        }
    }
}
