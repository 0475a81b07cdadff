/// The backward of a ReLU or Clip that a backward pass runs inside the layer reading its output:
/// dx = dy where low < v ≤ top (v the clamp's output, that layer's input), under the pass's
/// `ReLUBackwardMode` (`lens_clamp_backward`'s rule). A Clip's top is the float below its high, as
/// in `ClipLayer.backward`; a ReLU's is +∞.
struct ClampGate: Sendable, Equatable {
    let low: Float
    let top: Float
    let mode: ReLUBackwardMode

    /// The gate of a ReLU or Clip layer, nil for any other operation (or a Clip of low > high).
    init?(_ operation: LayerSpec.Operation, mode: ReLUBackwardMode) {
        switch operation {
        case .relu: (low, top) = (0, .infinity)
        case .clip(let low, let high) where low <= high: (self.low, top) = (low, high.nextDown)
        default: return nil
        }
        self.mode = mode
    }
}
