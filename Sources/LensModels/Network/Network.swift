import LensKernels
import LensTensor

/// A graph of named layers built from an architecture; a value type. A chain (every network lens
/// trains) is the graph in which each layer reads the one before it.
///
/// `forward` keeps in each layer what its backward needs, so a `backward` can follow, started at
/// any layer's output with any seed: the network output with dLoss/dlogits for training, a
/// one-hot at (channel, y, x) for a deconvnet projection, d logit[c] for saliency, and so on.
/// A layer output read by several layers gets the sum of their gradients.
/// Input items are reshaped to the architecture's input shape (their size must match).
public struct Network: Sendable {
    public private(set) var architecture: Architecture
    var layers: [any Layer]
    /// Each layer's inputs (layer indices, −1 the network input), from the architecture.
    let sources: [[Int]]
    /// How many (layer, operand) pairs read each layer's output, and the network input.
    let readers: [Int]
    let inputReaders: Int
    /// Whether a layer or one of its ancestors has parameters: a training pass stops below them.
    let learnableUpstream: [Bool]
    /// When layer i's output is read by a ReLU or Clip alone (layer i + 1), which inference may fuse
    /// into layer i: the bounds that activation clamps to.
    private let fusableClamp: [ClosedRange<Float>?]
    /// When layer i alone reads a ReLU or Clip that alone reads a layer (a chain), the activation's
    /// layer: a backward pass without parameter gradients may run the activation's backward inside layer i.
    private let clampBelow: [Int?]
    /// At a 1x1 layer whose clamp feeds a depthwise layer alone (MobileNetV2's expand), the chain inference
    /// runs by bands (`ExpandDepthwiseBands`).
    let expandChains: [ExpandChain?]
    /// Where `logits` cuts the graph into the chunked image part and the dense part (see there).
    private let denseStart: Int
    /// The last forward input as given, and reshaped to items (what the first layer read).
    var lastInputShape: [Int] = []
    var lastInput = Tensor.empty
    /// outputs[i]: layer i's output in the last forward. outputGradients[i]: the gradient at it
    /// in the last backward; inputGradient: at the network input. Reused from batch to batch.
    var outputs: [Tensor] = []
    var outputGradients: [Tensor] = []
    private var inputGradient = Tensor.empty
    /// Per layer, a gradient per operand, for operands whose source is read by several layers
    /// (summed into the source's gradient) and for layers of several inputs.
    private var operandGradients: [[Tensor]] = []
    /// Which gradients the running backward pass has written (the rest are zero).
    var written: [Bool] = []
    /// Per layer: whether its output gradient is, in the running backward pass, a buffer lent by the
    /// same-shape sum that reads it (`backwardThroughSum`), and its own buffer, kept meanwhile.
    var sharesGradient: [Bool] = []
    var ownGradients: [Tensor] = []
    /// Per layer, the lowest-index layer reading its output (−1: none): the reader whose share of the
    /// gradient a backward pass adds last.
    let lastReader: [Int]
    /// Each layer's parameter names, worked out once (an optimizer step asks for them every batch).
    private var parameterNames: [[String]] = []
    /// Buffers reused by `logits` from one call to the next.
    private var inferenceScratch = InferenceScratch()
    private var inferenceFront = Tensor.empty
    /// Inference's shared output buffers (`logits`): which slot each layer writes, each slot's
    /// buffer, and the layer that wrote it last (−1: none yet).
    let bufferPlan: InferenceBufferPlan
    private var slotBuffers: [Tensor]
    private var slotOwners: [Int]
    /// The threads' scratch of the expand chains' bands.
    private var bandScratch: [Float] = []

    /// Weights: He-normal for layers feeding a ReLU, PyTorch's default uniform otherwise (see
    /// `WeightInitialization`), drawn layer by layer, weight then bias, from `SeededGenerator(seed:)`;
    /// each dropout layer gets its own generator seeded from the same stream.
    public init(architecture: Architecture, seed: UInt64) {
        self.init(architecture: architecture, seed: seed, drawingWeights: true)
    }

    /// A network whose every parameter `load(parameters:)` sets next (ONNX and state-dict imports,
    /// batch-norm folding): zero weights, no random draws.
    public init(awaitingParameters architecture: Architecture) {
        self.init(architecture: architecture, seed: 0, drawingWeights: false)
    }

    private init(architecture: Architecture, seed: UInt64, drawingWeights: Bool) {
        self.architecture = architecture
        var generator = SeededGenerator(seed: seed)
        layers = architecture.layers.indices.map { index in
            let initialization: WeightInitialization = !drawingWeights ? .zeros
                : Self.feedsReLU(index, in: architecture.layers) ? .he : .pytorchDefault
            let operandShapes = architecture.layerInputs[index].map { $0 < 0 ? architecture.inputShape : architecture.layerOutputShapes[$0] }
            return makeLayer(architecture.layers[index], inputShape: architecture.inputShape(ofLayer: index),
                             operandShapes: operandShapes, outputShape: architecture.layerOutputShapes[index],
                             initialization: initialization, generator: &generator)
        }
        sources = architecture.layerInputs
        var readers = Array(repeating: 0, count: layers.count), inputReaders = 0
        var learnable: [Bool] = []
        for (index, reads) in sources.enumerated() {
            for source in reads { if source < 0 { inputReaders += 1 } else { readers[source] += 1 } }
            learnable.append(architecture.layers[index].operation.hasParameters || reads.contains { $0 >= 0 && learnable[$0] })
        }
        (self.readers, self.inputReaders, learnableUpstream) = (readers, inputReaders, learnable)
        var lastReader = Array(repeating: -1, count: layers.count)
        for (index, reads) in sources.enumerated() { for source in reads where source >= 0 && lastReader[source] < 0 { lastReader[source] = index } }
        self.lastReader = lastReader
        denseStart = Self.denseStart(of: architecture)
        let sources = architecture.layerInputs, specs = architecture.layers
        fusableClamp = specs.indices.map { index in
            guard index + 1 < specs.count && !sources[index].isEmpty && readers[index] == 1 && sources[index + 1] == [index] else {
                return nil
            }
            switch specs[index + 1].operation {
            case .relu: return 0...Float.infinity
            case .clip(let low, let high) where low <= high: return low...high
            default: return nil
            }
        }
        clampBelow = specs.indices.map { index in
            guard sources[index].count == 1, let clamp = sources[index].first, clamp >= 0, readers[clamp] == 1,
                  ClampGate(specs[clamp].operation, mode: .gradient) != nil,
                  sources[clamp].count == 1, let below = sources[clamp].first, below >= 0, readers[below] == 1 else { return nil }
            return clamp
        }
        let fused = fusableClamp
        let chains = ExpandChain.chains(layers: layers, sources: sources, readers: readers, fusableClamp: fused)
        expandChains = chains
        var writtenAt = specs.indices.map { $0 > 0 && fused[$0 - 1] != nil ? $0 - 1 : $0 }
        for (index, chain) in chains.enumerated() { if let chain { writtenAt[chain.last] = index } }
        let plan = InferenceBufferPlan(sources: sources, itemSizes: architecture.layerOutputShapes.map { $0.reduce(1, *) },
                                       isView: layers.map(\.outputMayAliasInput), writtenAt: writtenAt)
        bufferPlan = plan
        slotBuffers = Array(repeating: .empty, count: plan.slotCount)
        slotOwners = Array(repeating: -1, count: plan.slotCount)
        outputs = Array(repeating: .empty, count: layers.count)
        outputGradients = Array(repeating: .empty, count: layers.count)
        operandGradients = sources.map { Array(repeating: .empty, count: $0.count) }
        written = Array(repeating: false, count: layers.count)
        sharesGradient = written
        ownGradients = outputGradients
        parameterNames = layers.map { layer in layer.parameters.map { layer.spec.parameterPrefix + "." + $0.suffix } }
    }

    /// Whether layer `index`'s output reaches a ReLU through nothing but pooling, normalisation or dropout.
    private static func feedsReLU(_ index: Int, in specs: [LayerSpec]) -> Bool {
        for spec in specs[(index + 1)...] {
            switch spec.operation {
            case .relu, .clip: return true
            case .maxPool2d, .dropout, .maxPool, .batchNorm, .identity: continue
            default: return false
            }
        }
        return false
    }

    /// The first dense layer when the layers from it on read nothing from below the layer before
    /// it (a chain always; a graph whose image part ends in one tensor), else the layer count.
    private static func denseStart(of architecture: Architecture) -> Int {
        let layers = architecture.layers
        guard let dense = layers.firstIndex(where: { if case .linear = $0.operation { true } else { false } }) else {
            return layers.count
        }
        let clean = (dense..<layers.count).allSatisfy { index in
            if case .constant = layers[index].operation { return true }   // reads only the batch size
            return architecture.layerInputs[index].allSatisfy { $0 >= dense - 1 }
        }
        return clean ? dense : layers.count
    }

    public var layerNames: [String] { architecture.layerNames }

    // MARK: Parameters

    /// Every parameter with its PyTorch name (`<prefix>.weight`, `<prefix>.bias`), in layer order,
    /// and the buffers of PyTorch's `state_dict` (`<prefix>.running_mean`, ...) after their layer's parameters.
    public var parameters: [(name: String, tensor: Tensor)] {
        layers.flatMap { layer in
            layer.parameters.map { (name: layer.spec.parameterPrefix + "." + $0.suffix, tensor: $0.value) }
        }
    }

    /// The names of the state tensors that are counts, stored as int64 as PyTorch does (BatchNorm's num_batches_tracked).
    public var counterNames: Set<String> {
        Set(layers.flatMap { layer in layer.parameters.filter { $0.role == .counter }.map { layer.spec.parameterPrefix + "." + $0.suffix } })
    }

    /// The gradients accumulated since the last `zeroGradients()`, by parameter name.
    public var gradients: [String: Tensor] {
        var result: [String: Tensor] = [:]
        for layer in layers {
            for parameter in layer.parameters { result[layer.spec.parameterPrefix + "." + parameter.suffix] = parameter.gradient }
        }
        return result
    }

    /// Total number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.tensor.count } }

    /// Gives every parameter, with its full name, for changing in place.
    public mutating func updateParameters(_ body: (String, inout Parameter) throws -> Void) rethrows {
        for index in layers.indices {
            let names = parameterNames[index]
            var position = 0
            try layers[index].updateParameters { parameter in
                try body(names[position], &parameter)
                position += 1
            }
        }
    }

    public mutating func zeroGradients() {
        updateParameters { _, parameter in
            parameter.gradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    /// Replaces every parameter. The names must be exactly this architecture's, each with its
    /// shape; nothing changes unless all of them fit.
    public mutating func load(parameters newValues: [String: Tensor]) throws {
        let expected = parameters
        let expectedNames = Set(expected.map(\.name))
        for (name, tensor) in newValues.sorted(by: { $0.key < $1.key }) where !expectedNames.contains(name) {
            throw NetworkError.unexpectedParameter(name: name, shape: tensor.shape)
        }
        for (name, current) in expected {
            guard let tensor = newValues[name] else {
                throw NetworkError.missingParameter(name: name, expectedShape: current.shape)
            }
            guard tensor.shape == current.shape else {
                throw NetworkError.parameterShapeMismatch(name: name, expectedShape: current.shape, foundShape: tensor.shape)
            }
        }
        updateParameters { name, parameter in parameter.value = newValues[name]! }
    }

    // MARK: Forward

    /// Logits [N, classes]; keeps every layer's caches for a following `backward`.
    /// `training` turns dropout on.
    public mutating func forward(_ input: Tensor, training: Bool = false) -> Tensor {
        forward(input, capturing: [], training: training).output
    }

    /// Logits and the outputs of the layers named in `layerNames`. Without `training`, a ReLU or Clip
    /// that alone reads a convolution runs inside it as in `logits` (the convolution's own output is
    /// not kept: both activations' backward gate on their output), unless that layer is captured.
    public mutating func forward(_ input: Tensor, capturing layerNames: Set<String>,
                                 training: Bool = false) -> (output: Tensor, activations: [String: Tensor]) {
        lastInput = reshapedToItems(input)
        lastInputShape = input.shape
        guard lastInput.shape[0] > 0 else { return (Tensor(shape: [0, architecture.classCount]), [:]) }
        var activations: [String: Tensor] = [:]
        let output = run(lastInput, layers: layers.indices, training: training, fusingReLU: !training, capturing: layerNames, into: &activations)
        return (output, activations)
    }

    /// Runs the layers `range` on `input` (what the layers of the range read from below it: the
    /// network input, or the one tensor a chunked inference cut passes on), each writing into its
    /// reused output buffer; returns the last one's output. `fusingReLU` (inference, whose
    /// activations nobody reads afterwards) lets a layer apply the ReLU that alone follows it.
    /// `sharingBuffers` (inference, which keeps no output after its last reader) writes each layer's
    /// output into its slot of the `bufferPlan`; the outputs of layers dead by then are dropped.
    /// `stopwatch` (per-layer timing, `inferenceLayerSeconds`) is charged each layer's CPU time.
    mutating func run(_ input: Tensor, layers range: Range<Int>, training: Bool, fusingReLU: Bool = false,
                      sharingBuffers: Bool = false,
                      capturing layerNames: Set<String>, into activations: inout [String: Tensor],
                      stopwatch: LayerStopwatch? = nil) -> Tensor {
        // A view's output shares its input's storage: dropped first, so that the layer writing
        // that input finds its buffer unshared and writes in place.
        for index in range where layers[index].outputMayAliasInput { outputs[index] = .empty }
        var fusedInto: Int?, chainedThrough = -1
        for index in range where index > chainedThrough {
            if fusedInto == index {
                if layerNames.contains(layers[index].spec.name) { activations[layers[index].spec.name] = outputs[index] }
                continue
            }
            let started = stopwatch?.now() ?? 0
            defer { stopwatch?.charge(index, since: started) }
            if sharingBuffers, !training, let chain = expandChains[index], chain.last < range.upperBound,
               !(index...chain.last).contains(where: { layerNames.contains(layers[$0].spec.name) }),
               runExpandChain(index, chain, reading: sources[index][0] < range.lowerBound ? input : outputs[sources[index][0]]) {
                chainedThrough = chain.last
                continue
            }
            if fusingReLU, !training, let clamp = fusableClamp[index], index + 1 < range.upperBound,
               !layerNames.contains(layers[index].spec.name),
               runThroughClamp(index, clamp, reading: sources[index].map { $0 < range.lowerBound ? input : outputs[$0] },
                               sharingBuffers: sharingBuffers) {
                fusedInto = index + 1
                continue
            }
            var output = takeOutputBuffer(of: index, sharing: sharingBuffers)
            let reads = sources[index]
            if reads.count == 1 {
                let source = reads[0]
                layers[index].forward(source < range.lowerBound ? input : outputs[source], into: &output, training: training)
            } else {
                let operands = reads.map { $0 < range.lowerBound ? input : outputs[$0] }
                layers[index].forward(inputs: operands, into: &output, training: training)
            }
            keep(output, of: index, sharing: sharingBuffers)
            if layerNames.contains(layers[index].spec.name) { activations[layers[index].spec.name] = output }
        }
        return range.isEmpty ? input : outputs[range.upperBound - 1]
    }

    /// Layer `index` and the ReLU or Clip after it in one pass, written to the activation's output
    /// buffer (the layer's own output is left stale: nobody reads it). False when the layer has no fused path.
    private mutating func runThroughClamp(_ index: Int, _ clamp: ClosedRange<Float>, reading operands: [Tensor],
                                          sharingBuffers: Bool) -> Bool {
        var output = takeOutputBuffer(of: index + 1, sharing: sharingBuffers)
        let fused = operands.count == 1 ? layers[index].forwardThroughClamp(operands[0], into: &output, clamp: clamp)
            : layers[index].forwardThroughClamp(inputs: operands, into: &output, clamp: clamp)
        keep(output, of: index + 1, sharing: sharingBuffers)
        return fused
    }

    /// A 1x1 layer, its clamp, the depthwise layer after it and that one's clamp (`expandChains`), by bands,
    /// into the last one's buffer (the others' outputs are left stale: nobody reads them).
    private mutating func runExpandChain(_ index: Int, _ chain: ExpandChain, reading input: Tensor) -> Bool {
        guard let expand = layers[index] as? Conv2DLayer, let depthwise = layers[chain.depthwise] as? Conv2DLayer else { return false }
        var output = takeOutputBuffer(of: chain.last, sharing: true)
        expand.forwardExpanding(input, clamp: chain.expandClamp, through: depthwise, clamp: chain.depthwiseClamp,
                                into: &output, scratch: &bandScratch)
        keep(output, of: chain.last, sharing: true)
        return true
    }

    /// The buffer layer `index` writes, unshared: its own last output's, or when sharing its slot's,
    /// whose last writer (dead by the plan) and that writer's views let go of it first.
    private mutating func takeOutputBuffer(of index: Int, sharing: Bool) -> Tensor {
        var buffer = Tensor.empty
        swap(&buffer, &outputs[index])
        guard sharing, let slot = bufferPlan.slot[index] else { return buffer }
        let owner = slotOwners[slot]
        if owner >= 0 {
            outputs[owner] = .empty
            for view in bufferPlan.views[owner] { outputs[view] = .empty }
        }
        buffer = .empty
        swap(&buffer, &slotBuffers[slot])
        return buffer
    }

    private mutating func keep(_ output: Tensor, of index: Int, sharing: Bool) {
        outputs[index] = output
        guard sharing, let slot = bufferPlan.slot[index] else { return }
        slotBuffers[slot] = output
        slotOwners[slot] = index
    }

    /// Logits without touching this network's caches, `batchSize` items at a time.
    ///
    /// The layers before the first dense one run on fewer items at a time when their activations
    /// would not stay in cache: at most `inferenceChunkFloats` floats of the largest (W5's first
    /// layer is 256 KB per image; 256 images at once streamed 67 MB through memory per layer and ran
    /// at half speed). The dense layers then run on the whole batch, so that their weights are
    /// packed once per batch rather than once per chunk.
    public func logits(_ input: Tensor, batchSize: Int = 64) -> Tensor {
        let items = input.shape.first ?? 0
        var scratch = scratchForInference()
        defer { inferenceScratch.keep(scratch) }
        let batchSize = max(batchSize, 1)
        guard items > 0 else { return scratch.forward(input) }
        let dense = denseStart
        let largest = architecture.layerOutputShapes[0..<dense].map { $0.reduce(1, *) }.max() ?? 0
        let chunk = max(1, min(batchSize, Self.inferenceChunkFloats / max(largest, 1)))
        var scalars: [Float] = []
        scalars.reserveCapacity(items * architecture.classCount)
        var unused: [String: Tensor] = [:]
        var start = 0
        while start < items {
            let end = min(start + batchSize, items)
            let batch = reshapedToItems(start == 0 && end == items ? input : input.slice(start..<end))
            var front = batch
            if dense > 0 {
                if batch.shape[0] <= chunk {
                    front = scratch.run(batch, layers: 0..<dense, training: false, fusingReLU: true, sharingBuffers: true,
                                        capturing: [], into: &unused)
                } else {
                    front = scratch.frontInChunks(batch, layers: 0..<dense, chunk: chunk)
                }
            }
            let logits = scratch.run(front, layers: dense..<layers.count, training: false, fusingReLU: true, sharingBuffers: true,
                                     capturing: [], into: &unused)
            if start == 0 && end == items { return logits }
            scalars += logits.scalars
            start = end
        }
        return Tensor(shape: [items, architecture.classCount], scalars: scalars)
    }

    /// The outputs of layers `range` for `batch`, computed `chunk` items at a time into a buffer
    /// kept for the next call.
    private mutating func frontInChunks(_ batch: Tensor, layers range: Range<Int>, chunk: Int) -> Tensor {
        let count = batch.shape[0], outputShape = architecture.layerOutputShapes[range.upperBound - 1]
        let itemSize = outputShape.reduce(1, *)
        var front = inferenceFront
        inferenceFront = .empty
        front.prepare(shape: [count] + outputShape)
        var unused: [String: Tensor] = [:]
        var start = 0
        while start < count {
            let end = min(start + chunk, count)
            let part = run(batch.slice(start..<end), layers: range, training: false, fusingReLU: true, sharingBuffers: true,
                           capturing: [], into: &unused)
            front.scalars.withUnsafeMutableBufferPointer { target in
                part.scalars.withUnsafeBufferPointer { source in
                    (target.baseAddress! + start * itemSize).update(from: source.baseAddress!, count: (end - start) * itemSize)
                }
            }
            start = end
        }
        inferenceFront = front
        return front
    }

    /// The activation size (2 MB) an inference pass keeps to, so that it stays in cache (measured
    /// on W4/W5 at batch 256: 1, 2, 4 and 8 MB gave 8.3k, 9.4k, 8.5-8.9k and 8.3k images/s for W5).
    static let inferenceChunkFloats = 1 << 19

    /// A copy of this network for inference: the buffers of the last `logits` call when there are
    /// any (with this network's current parameters), else none.
    private func scratchForInference() -> Network {
        if var cached = inferenceScratch.take(), cached.architecture == architecture {
            for index in layers.indices {
                let current = layers[index].parameters
                var position = 0
                cached.layers[index].updateParameters { parameter in
                    parameter = current[position]   // shares storage: no copy
                    position += 1
                }
            }
            return cached
        }
        var scratch = self
        scratch.releaseBuffers()
        scratch.inferenceScratch = .detached
        return scratch
    }

    /// Drops every buffer a forward or backward kept (a copy then starts without them).
    private mutating func releaseBuffers() {
        for index in layers.indices { layers[index].releaseCaches() }
        outputs = Array(repeating: .empty, count: layers.count)
        outputGradients = Array(repeating: .empty, count: layers.count)
        operandGradients = sources.map { Array(repeating: .empty, count: $0.count) }
        ownGradients = outputGradients
        inputGradient = .empty
        lastInput = .empty
        inferenceFront = .empty
        slotBuffers = Array(repeating: .empty, count: bufferPlan.slotCount)
        slotOwners = Array(repeating: -1, count: bufferPlan.slotCount)
        bandScratch = []
    }

    /// Class probabilities [N, classes] (softmax of `logits`).
    public func probabilities(_ input: Tensor, batchSize: Int = 64) -> Tensor {
        SoftmaxCrossEntropy.probabilities(logits(input, batchSize: batchSize))
    }

    /// The most likely class of each item.
    public func predictions(_ input: Tensor, batchSize: Int = 64) -> [Int] {
        logits(input, batchSize: batchSize).argmaxRows()
    }

    /// Throws unless `input` holds whole items of the architecture's input shape.
    public func checkInput(_ input: Tensor) throws {
        let itemSize = architecture.inputShape.reduce(1, *)
        guard input.rank >= 2, input.count == input.shape[0] * itemSize else {
            throw NetworkError.inputShapeMismatch(expectedItemShape: architecture.inputShape, foundShape: input.shape)
        }
    }

    func reshapedToItems(_ input: Tensor) -> Tensor {
        let itemShape = architecture.inputShape
        let batch = input.shape.first ?? 0
        precondition(input.rank >= 1 && input.count == batch * itemShape.reduce(1, *),
                     "input of shape \(input.shape) does not hold items of shape \(itemShape)")
        return input.shape == [batch] + itemShape ? input : input.reshaped([batch] + itemShape)
    }

    // MARK: Backward

    /// Runs backward from the output of layer `layerName` (nil: the network output) down to the
    /// input, with `outputGradient` as the gradient at that output (same size as that output in
    /// the last forward): dLoss/dlogits for training, a one-hot at (channel, y, x) for a deconvnet
    /// projection, a one-hot at the target logit for saliency. Throws for an unknown layer or a
    /// gradient of the wrong size. `stopLayer` ends the pass once the gradient at that layer's
    /// output is known (captured gradients above it are complete; no input gradient is returned). `parameterGradients` says whether the parameter gradients are added to (as
    /// PyTorch does), overwritten or left alone. Returns the gradient at the input (the last
    /// forward input's shape; an empty tensor when `computingInputGradient` is false, as in
    /// training, where nobody reads it) and at the outputs of the layers named in `capturingGradientsAt`.
    @discardableResult
    public mutating func backward(from layerName: String? = nil, outputGradient: Tensor,
                                  reluMode: ReLUBackwardMode = .gradient,
                                  capturingGradientsAt names: Set<String> = [],
                                  parameterGradients: ParameterGradientMode = .accumulate,
                                  computingInputGradient: Bool = true,
                                  stoppingAt stopLayer: String? = nil) throws -> (input: Tensor, layers: [String: Tensor]) {
        let start = try layerName.map(layerIndex(named:)) ?? layers.count - 1
        // Grad-CAM needs the gradient at its layer's output only: the layers below it are skipped.
        let stop = try stopLayer.map(layerIndex(named:))
        for name in names.sorted() { _ = try layerIndex(named: name) }
        let expectedShape = [lastInputShape.first ?? 0] + architecture.layerOutputShapes[start]
        guard outputGradient.count == expectedShape.reduce(1, *) else {
            throw NetworkError.outputGradientShapeMismatch(layer: layers[start].spec.name, expectedShape: expectedShape,
                                                           foundShape: outputGradient.shape)
        }
        guard expectedShape[0] > 0 else { return (Tensor(shape: lastInputShape), [:]) }
        var context = BackwardContext(reluMode: reluMode, parameterGradients: parameterGradients, needsInputGradient: true)
        let limits = BackwardLimits(captured: names, stop: stop ?? -1, mode: reluMode, computingInputGradient: computingInputGradient)
        // A view's input gradient shares the storage of its output gradient from the last pass:
        // dropped first, so that buffer is written in place.
        for index in layers.indices where layers[index].outputMayAliasInput {
            for source in sources[index] { if source < 0 { inputGradient = .empty } else { outputGradients[source] = .empty } }
            for operand in operandGradients[index].indices { operandGradients[index][operand] = .empty }
        }
        for index in written.indices { written[index] = false }
        var inputWritten = false
        outputGradients[start] = outputGradient.reshaped(expectedShape)
        written[start] = true
        for index in stride(from: start, through: 0, by: -1) {
            if let stop, index <= stop { break }
            // A gradient lent by a sum above goes back once its layer has read it.
            defer { if sharesGradient[index] { returnLentGradient(index) } }
            // Unreached layers have a zero gradient; below the learnable layers, a training pass
            // (no image gradient) has nothing left to compute.
            guard written[index], computingInputGradient || learnableUpstream[index] else { continue }
            // With a stop, only an activation above it may be skipped: the gradient at the stop's output must be written.
            if computingInputGradient, parameterGradients == .skip, let clamp = clampBelow[index], clamp > (stop ?? -1),
               !names.contains(layers[clamp].spec.name), backwardThroughClamp(index, clamp, mode: reluMode) {
                continue
            }
            let reads = sources[index]
            context.needsInputGradient = computingInputGradient || reads.contains { $0 >= 0 && learnableUpstream[$0] }
            if context.needsInputGradient, layers[index].passesOutputGradient, !names.contains(layers[index].spec.name),
               backwardThroughSum(index, limits: limits) {
                continue
            }
            if reads.count == 1, (reads[0] < 0 ? inputReaders : readers[reads[0]]) == 1 {
                // The only reader of its source writes the source's gradient directly (a chain's case).
                let source = reads[0]
                var gradient = source < 0 ? inputGradient : outputGradients[source]
                if source < 0 { inputGradient = .empty } else { outputGradients[source] = .empty }
                layers[index].backward(input: source < 0 ? lastInput : outputs[source], output: outputs[index],
                                       outputGradient: outputGradients[index], into: &gradient, context: context)
                if source < 0 { inputGradient = gradient } else { outputGradients[source] = gradient }
                if context.needsInputGradient { if source < 0 { inputWritten = true } else { written[source] = true } }
                continue
            }
            let operands = reads.map { $0 < 0 ? lastInput : outputs[$0] }
            var gradients = operandGradients[index]
            operandGradients[index] = []
            if reads.count == 1 {
                layers[index].backward(input: operands[0], output: outputs[index], outputGradient: outputGradients[index],
                                       into: &gradients[0], context: context)
            } else {
                layers[index].backward(inputs: operands, output: outputs[index], outputGradient: outputGradients[index],
                                       into: &gradients, context: context)
            }
            if context.needsInputGradient {
                for (operand, source) in reads.enumerated() {
                    if source < 0 {
                        Self.accumulate(&gradients[operand], into: &inputGradient, first: !inputWritten)
                        inputWritten = true
                    } else {
                        addShare(&gradients[operand], from: index, to: source, limits: limits)
                    }
                }
            }
            operandGradients[index] = gradients
        }
        for index in sharesGradient.indices where sharesGradient[index] { returnLentGradient(index) }
        var captured: [String: Tensor] = [:]
        for name in names {
            guard let index = architecture.index(ofLayer: name), written[index], index >= (stop ?? 0) else { continue }
            captured[name] = outputGradients[index]
        }
        guard computingInputGradient, stop == nil else { return (.empty, captured) }
        if !inputWritten { inputGradient = Tensor(shape: lastInput.shape) }
        return (inputGradient.reshaped(lastInputShape), captured)
    }

    /// Layer `index` and the activation `clamp` below it in one backward step, written to the gradient at
    /// the activation's input (the activation's own gradient is left unwritten, so the pass skips it).
    private mutating func backwardThroughClamp(_ index: Int, _ clamp: Int, mode: ReLUBackwardMode) -> Bool {
        guard let gate = ClampGate(layers[clamp].spec.operation, mode: mode) else { return false }
        let below = sources[clamp][0]
        var gradient = outputGradients[below]
        outputGradients[below] = .empty
        let fused = layers[index].backwardThroughClamp(input: outputs[clamp], outputGradient: outputGradients[index],
                                                       into: &gradient, gate: gate)
        outputGradients[below] = gradient
        if fused { written[below] = true }
        return fused
    }

    /// target = gradient (the first reader's share), else target += gradient. The first share is
    /// swapped in, not copied: `gradient` gets target's old buffer, which the layer overwrites next pass.
    static func accumulate(_ gradient: inout Tensor, into target: inout Tensor, first: Bool) {
        if first {
            swap(&gradient, &target)
            return
        }
        let count = gradient.count
        target.scalars.withUnsafeMutableBufferPointer { t in
            gradient.scalars.withUnsafeBufferPointer { g in
                guard let t = t.baseAddress, let g = g.baseAddress else { return }
                Parallel.forEachChunk(count: count, minimumChunk: Parallel.elementwiseChunk) { range in
                    let at = range.lowerBound
                    lens_add_elements(t + at, g + at, t + at, range.count, Int32(LENS_LEVEL_CHOSEN))
                }
            }
        }
    }
}
