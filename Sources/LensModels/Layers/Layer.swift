import LensTensor

/// A tensor of a layer's state (what PyTorch's `state_dict` holds) and, for a learned one, the
/// gradient accumulated for it since the last reset.
public struct Parameter: Sendable {
    /// What a tensor of the state is: optimizers change only the learned ones.
    public enum Role: Sendable, Equatable {
        /// Trained by the optimizer (PyTorch's parameters: weight, bias).
        case learned
        /// Updated by training forward passes, not by gradients (PyTorch's buffers: running_mean, running_var).
        case statistic
        /// A count kept by training forward passes, stored as int64 (num_batches_tracked).
        case counter
    }

    /// PyTorch's attribute name: "weight", "bias", "running_mean", ...
    public var suffix: String
    public var value: Tensor
    public var gradient: Tensor
    public let role: Role

    init(suffix: String, value: Tensor, role: Role = .learned) {
        self.suffix = suffix
        self.value = value
        self.gradient = Tensor(shape: value.shape)
        self.role = role
    }
}

/// The contract every layer keeps (Caffe's Forward/Backward, llm.c's `*_forward`/`*_backward`).
///
/// Tensors carry the batch as their first axis. The network owns the activations and gradients
/// and hands each layer the buffers to write into, reused from batch to batch (`Tensor.prepare`),
/// so a training loop allocates nothing per batch. `backward` gets back the input and output of
/// the last forward, writes the gradient at the input and adds (or writes, see
/// `ParameterGradientMode`) the parameter gradients, as PyTorch does.
protocol Layer: Sendable {
    var spec: LayerSpec { get }
    /// Parameters in PyTorch's order (weight, then bias); empty for layers without any.
    var parameters: [Parameter] { get }
    /// Gives each parameter in turn for changing in place (optimizers, loading, zeroing gradients).
    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows
    /// Whether `forward` may hand back its input's storage as its output (a reshape, an identity):
    /// the network then drops that output before the next forward, so the input buffer stays unshared.
    var outputMayAliasInput: Bool { get }
    /// Writes the output for `input` into `output`, whose old contents and shape are irrelevant.
    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool)
    /// Inference only: forward(input) clamped to `clamp` in one pass (max(·, 0) for a ReLU, ReLU6's
    /// 0...6 for a Clip), for an activation that alone reads this layer's output (nobody reads the
    /// output before it). False, writing nothing, when the layer has no such path: the network then
    /// runs the activation layer.
    mutating func forwardThroughClamp(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) -> Bool
    /// The same for a layer of several inputs (a residual Add).
    mutating func forwardThroughClamp(inputs: [Tensor], into output: inout Tensor, clamp: ClosedRange<Float>) -> Bool
    /// Whether the gradient at every operand is the output gradient itself (an Add of operands of one shape):
    /// a backward pass may then hand the operands that buffer instead of running `backward`.
    var passesOutputGradient: Bool { get }
    /// Writes the gradient at the input into `inputGradient` (unless `context.needsInputGradient`
    /// is false) and updates the parameter gradients. `input` and `output` are the last forward's.
    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext)
    /// A backward pass that leaves the parameter gradients alone, for the ReLU or Clip that alone feeds
    /// this layer (`input` is that activation's output): writes the gradient at the activation's input,
    /// this layer's input gradient with `gate` applied, in one pass. False, writing nothing, when the
    /// layer has no such path: the network then runs the two backward steps.
    mutating func backwardThroughClamp(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                       gate: ClampGate) -> Bool
    /// Drops what forward kept, so a copy of the network does not drag the buffers along.
    mutating func releaseCaches()

    /// The same two steps for a layer of several inputs (add, multiply, concat), which implements
    /// these instead: the network calls them for every layer that does not read exactly one
    /// input. Each layer implements one pair; the other pair's defaults forward to it.
    mutating func forward(inputs: [Tensor], into output: inout Tensor, training: Bool)
    mutating func backward(inputs: [Tensor], output: Tensor, outputGradient: Tensor,
                           into inputGradients: inout [Tensor], context: BackwardContext)
}

/// What a backward pass does with the parameter gradients.
public enum ParameterGradientMode: Sendable {
    /// Adds to them (PyTorch's `backward`): gradients of several passes sum up.
    case accumulate
    /// Overwrites them: what `zeroGradients()` then `.accumulate` gives, without the zeroing pass.
    case replace
    /// Leaves them alone: explanation passes that only need input gradients skip the weight products.
    case skip
}

/// How a backward pass runs through the layers.
struct BackwardContext {
    var reluMode: ReLUBackwardMode
    var parameterGradients: ParameterGradientMode
    /// False for the first layer of a training pass: nobody reads the gradient at the images.
    var needsInputGradient: Bool

    var updatesParameterGradients: Bool { parameterGradients != .skip }
    /// The beta of a matrix product that writes a parameter gradient: 1 adds, 0 overwrites.
    var parameterGradientBeta: Float { parameterGradients == .accumulate ? 1 : 0 }
}

extension Layer {
    var parameters: [Parameter] { [] }
    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {}
    var outputMayAliasInput: Bool { false }
    mutating func releaseCaches() {}
    mutating func forwardThroughClamp(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) -> Bool { false }
    mutating func forwardThroughClamp(inputs: [Tensor], into output: inout Tensor, clamp: ClosedRange<Float>) -> Bool {
        inputs.count == 1 && forwardThroughClamp(inputs[0], into: &output, clamp: clamp)
    }
    var passesOutputGradient: Bool { false }
    mutating func backwardThroughClamp(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                       gate: ClampGate) -> Bool { false }

    mutating func forward(inputs: [Tensor], into output: inout Tensor, training: Bool) {
        forward(inputs[0], into: &output, training: training)
    }

    mutating func backward(inputs: [Tensor], output: Tensor, outputGradient: Tensor,
                           into inputGradients: inout [Tensor], context: BackwardContext) {
        backward(input: inputs[0], output: output, outputGradient: outputGradient, into: &inputGradients[0], context: context)
    }
}

/// A layer of several inputs: its one-input steps are its many-input steps on one input.
protocol MultiInputLayer: Layer {}

extension MultiInputLayer {
    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        forward(inputs: [input], into: &output, training: training)
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        var gradients = [inputGradient]
        inputGradient = .empty
        backward(inputs: [input], output: output, outputGradient: outputGradient, into: &gradients, context: context)
        inputGradient = gradients[0]
    }
}
