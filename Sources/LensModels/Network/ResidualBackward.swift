import LensTensor

/// What the running backward pass must leave intact: the shortcuts below skip or share gradients, so
/// none may touch a captured gradient, and none runs past the stop.
struct BackwardLimits {
    let captured: Set<String>
    /// The stop layer, −1 for none.
    let stop: Int
    let mode: ReLUBackwardMode
    let computingInputGradient: Bool
}

/// A residual block's backward without elementwise copies. At s = a + b (operands of one shape),
/// ∂L/∂a = ∂L/∂b = ∂L/∂s: the sum hands its gradient buffer to one operand and lends it to the others,
/// which give it back once their layer has read it (a copy each before). And at the ReLU r = relu(s),
/// whose gradient is the sum of its readers' shares, the last share is added and sent through the
/// ReLU's gate in one pass: ∂L/∂s = (Σ shares)·[r > 0], where the sum was written and read again.
extension Network {
    /// The backward step of a same-shape sum (`passesOutputGradient`) over distinct layer outputs.
    /// False, doing nothing, for any other case (the network input among the operands, one operand twice).
    mutating func backwardThroughSum(_ index: Int, limits: BackwardLimits) -> Bool {
        let reads = sources[index]
        for (position, source) in reads.enumerated() where source < 0 || reads[..<position].contains(source) { return false }
        // Shares of outputs already written (readers above this sum) are added, from this sum's buffer.
        let earlier = reads.filter { written[$0] }
        var owner = -1
        for source in reads where !written[source] && (owner < 0 || source < owner) { owner = source }
        for source in earlier {
            var share = outputGradients[index]
            addShare(&share, from: index, to: source, limits: limits)
        }
        guard owner >= 0 else { return true }
        // The lowest output takes the buffer: the readers of a residual block's input, below it, add to
        // it after the block's other operands have read their lent copies and given them back.
        outputGradients.swapAt(index, owner)
        written[owner] = true
        for source in reads where source != owner && !earlier.contains(source) {
            if limits.captured.contains(layers[source].spec.name) {
                let gradient = outputGradients[owner]
                Elementwise.copy(gradient, into: &outputGradients[source], shape: gradient.shape)
            } else {
                swap(&ownGradients[source], &outputGradients[source])
                outputGradients[source] = outputGradients[owner]
                sharesGradient[source] = true
            }
            written[source] = true
        }
        return true
    }

    /// Layer `source`'s own gradient buffer back in place of the one lent to it.
    mutating func returnLentGradient(_ source: Int) {
        outputGradients[source] = .empty
        swap(&outputGradients[source], &ownGradients[source])
        sharesGradient[source] = false
    }

    /// Adds `gradient`, layer `reader`'s share, to the gradient at layer `source`'s output. The first share is
    /// swapped in, not copied (`gradient` gets the old buffer, which the reader overwrites next pass).
    mutating func addShare(_ gradient: inout Tensor, from reader: Int, to source: Int, limits: BackwardLimits) {
        guard written[source] else {
            Self.accumulate(&gradient, into: &outputGradients[source], first: true)
            written[source] = true
            return
        }
        if addLastShareThroughClamp(gradient, from: reader, to: source, limits: limits) { return }
        guard sharesGradient[source] else {
            return Self.accumulate(&gradient, into: &outputGradients[source], first: false)
        }
        // A lent buffer stays as it is: the sum goes to the layer's own.
        var own = ownGradients[source]
        ownGradients[source] = .empty
        let lent = outputGradients[source]
        Elementwise.add(lent, gradient, into: &own, shape: lent.shape)
        outputGradients[source] = own
        sharesGradient[source] = false
    }

    /// When `source` is a ReLU or Clip that alone reads a layer, and `reader` adds the last share of its gradient:
    /// the layer's gradient, (shares so far + this one) through the clamp's gate, in one pass. The clamp's own
    /// step is then done (its gradient is marked unwritten, so the pass skips it). False, writing nothing, when
    /// the clamp's gradient is captured or its step would not run.
    private mutating func addLastShareThroughClamp(_ gradient: Tensor, from reader: Int, to source: Int, limits: BackwardLimits) -> Bool {
        guard lastReader[source] == reader, source > limits.stop, limits.computingInputGradient || learnableUpstream[source],
              sources[source].count == 1, let below = sources[source].first, below >= 0, readers[below] == 1,
              !limits.captured.contains(layers[source].spec.name),
              let gate = ClampGate(layers[source].spec.operation, mode: limits.mode) else { return false }
        var operandsReadingSource = 0
        for read in sources[reader] where read == source { operandsReadingSource += 1 }
        let values = outputs[source]
        guard operandsReadingSource == 1, values.count == gradient.count, values.count == outputGradients[source].count else { return false }
        var target = outputGradients[below]
        outputGradients[below] = .empty
        Elementwise.addClampBackward(outputGradients[source], gradient, values: values, into: &target, gate: gate)
        outputGradients[below] = target
        written[below] = true
        written[source] = false
        return true
    }
}
