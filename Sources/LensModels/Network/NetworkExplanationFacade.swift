import LensTensor

/// What explanations ask of a network, every question checked: an unknown layer, an input of the
/// wrong shape or a target outside the classes is an error that says so, never a trap.
extension Network {
    /// The index of the layer called `name`; the error lists the layers there are.
    public func layerIndex(named name: String) throws -> Int {
        guard let index = architecture.index(ofLayer: name) else {
            throw NetworkError.unknownLayer(name: name, layers: layerNames)
        }
        return index
    }

    /// The layer whose output feeds the last (output) layer: the penultimate representation.
    /// Nil for a network of one layer (softmax regression), whose only representation is the input.
    public var penultimateLayerName: String? {
        guard let source = architecture.layerInputs.last?.first, source >= 0 else { return nil }
        return architecture.layers[source].name
    }

    /// Names of the layers of an operation kind, in order (`conv2d`, `linear`, `relu`, ...).
    public func layerNames(where include: (LayerSpec.Operation) -> Bool) -> [String] {
        architecture.layers.filter { include($0.operation) }.map(\.name)
    }

    /// Throws unless `targets` holds one class index per item of `input`.
    public func checkTargets(_ targets: [Int], for input: Tensor) throws {
        let items = input.shape.first ?? 0
        guard targets.count == items else { throw NetworkError.targetCountMismatch(items: items, targets: targets.count) }
        for target in targets where !(0..<architecture.classCount).contains(target) {
            throw NetworkError.targetOutOfRange(target: target, classCount: architecture.classCount)
        }
    }

    /// The output gradient that picks logit[target] of each item: one-hot rows [N, classes]; with
    /// `against`, logit[targetᵢ] − logit[againstᵢ] (a +1 and a −1 per row: why this class rather
    /// than that one, still one backward pass).
    public func targetSelector(_ targets: [Int], against: [Int]? = nil) -> Tensor {
        let classes = architecture.classCount
        var selector = Tensor(shape: [targets.count, classes])
        for (row, target) in targets.enumerated() {
            selector.scalars[row * classes + target] = 1
            if let other = against?[row], other != target { selector.scalars[row * classes + other] = -1 }
        }
        return selector
    }

    /// Logits and the outputs of `layers`, after checking the input and the names.
    public mutating func activations(_ input: Tensor, at layers: [String]) throws -> (logits: Tensor, activations: [String: Tensor]) {
        try checkInput(input)
        for name in layers { _ = try layerIndex(named: name) }
        let (logits, activations) = forward(input, capturing: Set(layers))
        return (logits, activations)
    }

    /// ∂ logit[targetᵢ] / ∂ inputᵢ for each item, with every ReLU passing the signal back by
    /// `reluMode` (the true gradient, Zeiler–Fergus deconvnet or guided backprop), and the
    /// activations and gradients at the outputs of `layers`. Parameter gradients are left alone.
    /// With `inputGradient` false the pass stops at the lowest of `layers` (Grad-CAM reads no
    /// pixel gradient) and `input` is empty.
    public mutating func targetGradients(_ input: Tensor, targets: [Int], against: [Int]? = nil, reluMode: ReLUBackwardMode = .gradient,
                                         at layers: [String] = [], inputGradient: Bool = true) throws -> TargetGradients {
        try checkTargets(targets, for: input)
        if let against { try checkTargets(against, for: input) }
        let (logits, activations) = try self.activations(input, at: layers)
        let lowest = try layers.map { try layerIndex(named: $0) }.min()
        let stop = inputGradient ? nil : lowest.map { architecture.layers[$0].name }
        let (inputGradient, gradients) = try backward(outputGradient: targetSelector(targets, against: against), reluMode: reluMode,
                                                      capturingGradientsAt: Set(layers), parameterGradients: .skip,
                                                      stoppingAt: stop)
        return TargetGradients(logits: logits, input: inputGradient, activations: activations, layerGradients: gradients)
    }
}

/// What `Network.targetGradients` returns: the logits of the forward pass, ∂ logit[target] / ∂ input
/// (the input's shape) and, per named layer, its output and the gradient there.
public struct TargetGradients: Sendable {
    public var logits: Tensor
    public var input: Tensor
    public var activations: [String: Tensor]
    public var layerGradients: [String: Tensor]
}
