import LensModels
import LensTensor

/// Integrated gradients (Sundararajan et al. 2017): (x − x₀) ⊙ ∫₀¹ ∂F/∂x(x₀ + α(x − x₀)) dα, F the
/// target logit, the integral by a quadrature rule. The path points are streamed through
/// `batchSize`-item batches into one running sum per item (`GradientStream`), so memory does not
/// grow with the steps. The convergence delta Σ attributions − (F(x) − F(x₀)) says how far the
/// sum is from exact (completeness).
struct IntegratedGradients: Attributor {
    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult {
        let baselines = try Self.baselines(for: inputs, settings: settings, context: context)
        let (alphas, weights) = settings.integrationRule.nodes(count: settings.integrationSteps)
        let items = inputs.shape[0], itemSize = inputs.count / max(items, 1)
        var stream = GradientStream(weights: weights.map(Float.init), batchSize: settings.batchSize, progress: context.progress)
        var maps: Tensor
        if network.firstLayerIsAffine {
            // The path through an affine first layer is y₀ + α(y₁ − y₀) at its output, and its transpose
            // maps the summed gradient there back to the input once (`AffineFirstLayer`).
            stream.entry = .firstLayerOutput
            let ends = (try network.firstLayerOutput(baselines), try network.firstLayerOutput(inputs))
            let sums = try Self.pathSum(stream, &network, from: ends.0, to: ends.1, alphas: alphas, targets: targets, context: context)
            maps = try network.firstLayerInputGradient(sums, input: inputs)
        } else {
            maps = try Self.pathSum(stream, &network, from: baselines, to: inputs, alphas: alphas, targets: targets, context: context)
        }
        for i in maps.scalars.indices { maps.scalars[i] *= inputs.scalars[i] - baselines.scalars[i] }

        let logits = network.logits(inputs, batchSize: settings.batchSize)
        let baselineLogits = network.logits(baselines, batchSize: settings.batchSize)
        let deltas = (0..<items).map { item -> Float in
            let total = maps.scalars[(item * itemSize)..<((item + 1) * itemSize)].reduce(0.0) { $0 + Double($1) }
            let change = Double(context.score(logits, item: item, target: targets[item]))
                - Double(context.score(baselineLogits, item: item, target: targets[item]))
            return Float(total - change)
        }
        var used = ["steps": "\(settings.integrationSteps)", "rule": settings.integrationRule.rawValue,
                    "baseline": settings.baseline.rawValue]
        if settings.baseline == .blurred { used["blur sigma"] = "\(settings.blurSigma)" }
        return AttributionResult(method: .integratedGradients, maps: maps, targets: targets, logits: logits,
                                 settings: used, convergenceDelta: deltas)
    }

    /// Σₖ wₖ ∂F/∂p at the points pₖ = a + αₖ(b − a) of each item (items of `a` and `b`), through `stream`.
    private static func pathSum(_ stream: GradientStream, _ network: inout Network, from a: Tensor, to b: Tensor, alphas: [Double],
                                targets: [Int], context: AttributionContext) throws -> Tensor {
        let itemSize = b.count / max(b.shape[0], 1)
        let alphas32 = alphas.map(Float.init)
        return try b.scalars.withUnsafeBufferPointer { end in
            try a.scalars.withUnsafeBufferPointer { start in
                try stream.sum(&network, inputs: b, targets: targets, against: context.against) { item, step, point in
                    let x = end.baseAddress! + item * itemSize, x0 = start.baseAddress! + item * itemSize
                    let alpha = alphas32[step]
                    Parallel.forEachChunk(count: itemSize, minimumChunk: Parallel.elementwiseChunk) { run in
                        for j in run { point[j] = x0[j] + alpha * (x[j] - x0[j]) }
                    }
                }
            }
        }
    }

    /// x₀ for every item: black, the mean training image, or the item blurred.
    static func baselines(for inputs: Tensor, settings: AttributionSettings, context: AttributionContext) throws -> Tensor {
        switch settings.baseline {
        case .zeros:
            return Tensor(shape: inputs.shape)
        case .mean:
            let itemShape = Array(inputs.shape.dropFirst())
            guard let mean = context.meanImage else {
                throw ExplainError.invalidInput("the mean baseline needs the mean training image, and none was given; use the zeros or blurred baseline")
            }
            guard mean.count == itemShape.reduce(1, *) else {
                throw ExplainError.invalidInput("the mean training image has shape \(mean.shape); the inputs' items are \(itemShape)")
            }
            var scalars: [Float] = []
            scalars.reserveCapacity(inputs.count)
            for _ in 0..<inputs.shape[0] { scalars += mean.scalars }
            return Tensor(shape: inputs.shape, scalars: scalars)
        case .blurred:
            guard inputs.rank == 4 else {
                throw ExplainError.invalidInput("the blurred baseline needs image inputs [channels, height, width]; these items are \(Array(inputs.shape.dropFirst()))")
            }
            return GaussianBlur.apply(inputs, sigma: settings.blurSigma)
        }
    }
}
