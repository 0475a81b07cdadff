/// How a ReLU passes a signal R backwards, f being its forward output.
///
/// One switch gives saliency, Zeiler–Fergus deconvnet and guided backprop from the same engine
/// (max pooling always routes by its switches, whatever the mode).
public enum ReLUBackwardMode: String, Sendable, Codable, CaseIterable {
    /// The true gradient: R·[f > 0].
    case gradient
    /// Zeiler & Fergus: the ReLU is applied to the signal itself, max(R, 0).
    case deconvnet
    /// Springenberg et al.: both rules at once, R·[f > 0]·[R > 0].
    case guided
}
