import Foundation
import LensModels
import LensTensor

/// SmoothGrad (Smilkov et al. 2017): the target gradient averaged over noisy copies of the input,
/// noise σ = a fraction of each image's own range (max − min); the squared variant averages g².
/// The copies are streamed through `batchSize`-item batches (`GradientStream`).
struct SmoothGrad: Attributor {
    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult {
        let items = inputs.shape[0], itemSize = inputs.count / max(items, 1)
        let given = context.smoothGradNoise
        if let given, given.rank < 2 || Array(given.shape.dropFirst()) != inputs.shape {
            throw ExplainError.invalidInput("the given SmoothGrad noise has shape \(given.shape); expected [samples] + the inputs' shape \(inputs.shape)")
        }
        let samples = given?.shape[0] ?? settings.smoothGradSamples
        let sigmas = (0..<items).map { item -> Float in
            let scalars = inputs.scalars[(item * itemSize)..<((item + 1) * itemSize)]
            return settings.smoothGradNoise * ((scalars.max() ?? 0) - (scalars.min() ?? 0))
        }
        var generator = SeededGenerator(seed: settings.seed)
        let stream = GradientStream(weights: Array(repeating: 1 / Float(samples), count: samples),
                                    batchSize: settings.batchSize, squared: settings.smoothGradSquared,
                                    progress: context.progress)
        let maps = try inputs.scalars.withUnsafeBufferPointer { image in
            try stream.sum(&network, inputs: inputs, targets: targets, against: context.against) { item, sample, point in
                let source = image.baseAddress! + item * itemSize
                if let given {
                    let offset = (sample * items + item) * itemSize
                    for j in 0..<itemSize { point[j] = source[j] + given.scalars[offset + j] }
                } else {
                    generator.fillNormal(point, standardDeviation: sigmas[item])
                    for j in 0..<itemSize { point[j] += source[j] }
                }
            }
        }
        var used = ["samples": "\(samples)", "squared": "\(settings.smoothGradSquared)"]
        if given != nil {
            used["noise"] = "given"
        } else {
            used["noise"] = "\(settings.smoothGradNoise) x each image's range"
            used["seed"] = "\(settings.seed)"
        }
        return AttributionResult(method: .smoothgrad, maps: maps, targets: targets,
                                 logits: network.logits(inputs, batchSize: settings.batchSize), settings: used)
    }
}

extension SeededGenerator {
    /// Fills `buffer` with normal samples of mean 0, both Box–Muller values of each pair used.
    mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
        var index = 0
        while index < buffer.count {
            var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
            if u1 < 1e-300 { u1 = 1e-300 }
            let angle = 2 * Double.pi * Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
            let radius = (-2 * log(u1)).squareRoot() * Double(standardDeviation)
            buffer[index] = Float(radius * cos(angle))
            if index + 1 < buffer.count { buffer[index + 1] = Float(radius * sin(angle)) }
            index += 2
        }
    }
}
