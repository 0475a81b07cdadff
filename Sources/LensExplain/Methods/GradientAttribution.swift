import LensModels
import LensTensor

/// Saliency, guided backprop and the deconvnet map: one backward pass from the target logit,
/// differing only in how the ReLUs pass the signal back (`ReLUBackwardMode`).
struct GradientAttribution: Attributor {
    var reluMode: ReLUBackwardMode

    var method: AttributionMethod {
        switch reluMode {
        case .gradient: .saliency
        case .guided: .guidedBackprop
        case .deconvnet: .deconvnet
        }
    }

    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult {
        var maps = Tensor(shape: inputs.shape)
        var logits = Tensor(shape: [inputs.shape[0], network.architecture.classCount])
        try forEachBatch(of: inputs.shape[0], size: settings.batchSize) { range in
            let result = try network.targetGradients(inputs.slice(range), targets: Array(targets[range]),
                                                     against: context.against.map { Array($0[range]) }, reluMode: reluMode)
            maps.replaceItems(range, with: result.input)
            logits.replaceItems(range, with: result.logits)
            context.progress?(Double(range.upperBound) / Double(inputs.shape[0]))
        }
        return AttributionResult(method: method, maps: maps, targets: targets, logits: logits,
                                 settings: ["relu backward": reluMode.rawValue])
    }
}
