import LensTensor

/// A learnable tensor of a layer and the gradient accumulated for it since the last reset.
public struct Parameter: Sendable {
    /// PyTorch's attribute name: "weight" or "bias".
    public var suffix: String
    public var value: Tensor
    public var gradient: Tensor

    init(suffix: String, value: Tensor) {
        self.suffix = suffix
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }
}

/// The contract every layer keeps (Caffe's Forward/Backward, llm.c's `*_forward`/`*_backward`).
///
/// Tensors carry the batch as their first axis. `forward` keeps what `backward` needs;
/// `backward` takes the gradient at this layer's output, returns the gradient at its input and
/// adds (never overwrites) the parameter gradients, as PyTorch does.
protocol Layer: Sendable {
    var spec: LayerSpec { get }
    /// Parameters in PyTorch's order (weight, then bias); empty for layers without any.
    var parameters: [Parameter] { get }
    /// Gives each parameter in turn for changing in place (optimizers, loading, zeroing gradients).
    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows
    mutating func forward(_ input: Tensor, training: Bool) -> Tensor
    mutating func backward(_ outputGradient: Tensor, context: BackwardContext) -> Tensor
    /// Drops what forward kept, so a copy of the network does not drag the buffers along.
    mutating func releaseCaches()
}

/// How a backward pass runs through the layers.
struct BackwardContext {
    var reluMode: ReLUBackwardMode
    /// False for explanation passes that only need input gradients: skips the weight products.
    var accumulateParameterGradients: Bool
}

extension Layer {
    var parameters: [Parameter] { [] }
    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {}
}
