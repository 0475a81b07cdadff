import LensModels
import LensTensor

/// Grad-CAM (Selvaraju et al. 2017) at a convolutional layer's output A: channel weights
/// w_c = spatial mean of ∂ logit[target] / ∂ A_c, map = ReLU(Σ_c w_c A_c). The coarse map is kept
/// as `auxiliary["gradcam"]` [N, 1, h, w]; `maps` is it resized to the input (bilinear, half-pixel
/// centres) and repeated over the input's channels.
///
/// Guided Grad-CAM (`guided`) multiplies that by the guided-backprop map: fine detail, restricted
/// to the class's regions. Both come from one forward pass per batch.
struct GradCAM: Attributor {
    var guided: Bool

    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult {
        let method: AttributionMethod = guided ? .guidedGradcam : .gradcam
        let layer = try Self.layer(of: network, named: settings.layer, method: method)
        let run = try Self.run(&network, inputs: inputs, targets: targets, against: context.against, layer: layer, guided: guided,
                               settings: settings, progress: context.progress)
        var maps = Self.upsampled(run.coarse, like: inputs)
        if let guidedMaps = run.guided {
            for i in maps.scalars.indices { maps.scalars[i] *= guidedMaps.scalars[i] }
        }
        return AttributionResult(method: method, maps: maps, targets: targets, logits: run.logits,
                                 settings: ["layer": layer], auxiliary: ["gradcam": run.coarse])
    }

    /// The layer Grad-CAM reads: `name`, which must be a spatial layer at or after the first
    /// convolution, or by default the input of the first global average pooling (the last 4-D
    /// output before it: a ResNet's last block), else the output of the last convolution's block:
    /// past its batch norm, a residual sum it feeds and the ReLU after them (the convolution's own
    /// output when none follows it).
    static func layer(of network: Network, named name: String?, method: AttributionMethod) throws -> String {
        let specs = network.architecture.layers
        let convolutions = specs.indices.filter { specs[$0].operation.isConvolution }
        guard let first = convolutions.first, let last = convolutions.last else {
            throw ExplainError.needsLayer(method: method.title, kind: "convolutional", layers: network.layerNames)
        }
        let shapes = network.architecture.layerOutputShapes
        let suitable = specs.indices.filter { $0 >= first && shapes[$0].count == 3 }.map { specs[$0].name }
        guard let name else {
            if let pooling = specs.firstIndex(where: { $0.operation == .globalAveragePool }),
               let source = network.architecture.layerInputs[pooling].first, source >= first, shapes[source].count == 3 {
                return specs[source].name
            }
            // The block's output: follow the conv's only reader while it is the batch norm that
            // normalises it, the residual sum it joins, or the ReLU after them.
            let inputs = network.architecture.layerInputs
            var end = last
            while true {
                let readers = specs.indices.filter { inputs[$0].contains(end) }
                guard readers.count == 1, let next = readers.first, shapes[next].count == 3, Self.endsBlock(specs[next].operation) else { break }
                end = next
            }
            return specs[end].name
        }
        let index = try network.layerIndex(named: name)
        guard suitable.contains(specs[index].name) else {
            let problem = index < first ? "it comes before the first convolution" : "its output is not a [channels, height, width] map"
            throw ExplainError.unsuitableLayer(method: method.title, layer: name, problem: problem, suitable: suitable)
        }
        return name
    }

    /// An operation that belongs to the end of a convolution's block rather than to the next block.
    static func endsBlock(_ operation: LayerSpec.Operation) -> Bool {
        switch operation {
        case .batchNorm, .add: true
        default: operation.isRectifier
        }
    }

    /// Coarse maps [N, 1, h, w] and logits, batch by batch; with `guided`, also the guided-backprop
    /// maps from the same forward passes (a second backward pass each).
    static func run(_ network: inout Network, inputs: Tensor, targets: [Int], against: [Int]? = nil, layer: String, guided: Bool,
                    settings: AttributionSettings, progress: (@Sendable (Double) -> Void)?)
        throws -> (coarse: Tensor, logits: Tensor, guided: Tensor?) {
        let items = inputs.shape[0]
        let layerShape = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)]
        var coarse = Tensor(shape: [items, 1, layerShape[1], layerShape[2]])
        var logits = Tensor(shape: [items, network.architecture.classCount])
        var guidedMaps = guided ? Tensor(shape: inputs.shape) : nil
        try forEachBatch(of: items, size: settings.batchSize) { range in
            let batchTargets = Array(targets[range]), batchAgainst = against.map { Array($0[range]) }
            let result = try network.targetGradients(inputs.slice(range), targets: batchTargets, against: batchAgainst,
                                                     at: [layer], inputGradient: false)
            guard let activation = result.activations[layer], let gradient = result.layerGradients[layer] else {
                throw ExplainError.invalidInput("layer \(layer) gave no activation or gradient")
            }
            coarse.replaceItems(range, with: weightedSum(activation: activation, gradient: gradient))
            logits.replaceItems(range, with: result.logits)
            if guidedMaps != nil {
                let map = try network.backward(outputGradient: network.targetSelector(batchTargets, against: batchAgainst), reluMode: .guided,
                                               parameterGradients: .skip).input
                guidedMaps?.replaceItems(range, with: map)
            }
            progress?(Double(range.upperBound) / Double(items))
        }
        return (coarse, logits, guidedMaps)
    }

    /// ReLU(Σ_c w_c A_c) with w_c the spatial mean of the gradient on channel c: [n, 1, h, w].
    static func weightedSum(activation: Tensor, gradient: Tensor) -> Tensor {
        let (items, channels) = (activation.shape[0], activation.shape[1])
        let plane = activation.shape[2] * activation.shape[3]
        var map = Tensor(shape: [items, 1, activation.shape[2], activation.shape[3]])
        activation.scalars.withUnsafeBufferPointer { a in
            gradient.scalars.withUnsafeBufferPointer { g in
                map.scalars.withUnsafeMutableBufferPointer { m in
                    for item in 0..<items {
                        let target = m.baseAddress! + item * plane
                        for channel in 0..<channels {
                            let offset = (item * channels + channel) * plane
                            var total: Float = 0
                            for i in 0..<plane { total += g[offset + i] }
                            let weight = total / Float(plane)
                            for i in 0..<plane { target[i] += weight * a[offset + i] }
                        }
                        for i in 0..<plane { target[i] = max(target[i], 0) }
                    }
                }
            }
        }
        return map
    }

    /// The coarse maps resized to the inputs' height and width and repeated over their channels.
    static func upsampled(_ coarse: Tensor, like inputs: Tensor) -> Tensor {
        let (items, channels, height, width) = (inputs.shape[0], inputs.shape[1], inputs.shape[2], inputs.shape[3])
        let resized = ImageResampling.bilinear(coarse, height: height, width: width)
        guard channels > 1 else { return resized }
        var scalars: [Float] = []
        scalars.reserveCapacity(inputs.count)
        for item in 0..<items {
            let plane = resized.scalars[(item * height * width)..<((item + 1) * height * width)]
            for _ in 0..<channels { scalars += plane }
        }
        return Tensor(shape: inputs.shape, scalars: scalars)
    }
}
