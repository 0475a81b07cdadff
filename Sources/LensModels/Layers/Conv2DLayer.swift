import LensKernels
import LensTensor

/// 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W], W [out, C/g, kH, kW], b [out],
/// y [N, out, H', W'] with H' = ⌊(H + padTop + padBottom − dilation·(kH − 1) − 1) / stride⌋ + 1.
/// Computed per image as im2col then one matrix product per group g (of G):
/// y_n[g·out/G ..., P] = W_g[out/G, K/G] · columns_n[g·K/G ..., P] + b (rows of a group are
/// contiguous in the column matrix: its channels are). G = 1 for every layer lens trains; G = C is
/// a depthwise convolution. A convolution without bias (ONNX's, when batch norm follows) has no
/// bias parameter.
///
/// Images are independent, so a batch is split over the cores (`Parallel`). Each part keeps one
/// image's column matrix in a scratch buffer reused across batches (it fits in L2); backward
/// rebuilds it from the input rather than keeping the whole batch's columns, which would take
/// K·P floats per image (80 MB for a batch of 128 through a 5x5x32→64 layer on 14x14).
struct Conv2DLayer: Layer {
    let spec: LayerSpec
    let outChannels: Int
    /// Geometry of one input image (its height and width are fixed by the architecture).
    let geometry: ConvolutionGeometry
    let groups: Int
    let hasBias: Bool
    private(set) var weight: Parameter
    /// Zeros, and no parameter, when `hasBias` is false.
    private(set) var bias: Parameter
    /// Per part: one image's columns [K, P], its column gradient [K, P], the part's dWᵀ (per group
    /// [K/G, out/G], one after the other) and db [out], and the zero-bordered copy of one image
    /// that stride-1 im2col works in.
    private var scratch: [Float] = []
    /// Whether forward runs the blocked 1x1 path (`ConvolutionGeometry.pointwise`); tests turn it off
    /// to compare with one product per image.
    var runsPointwiseBlocks: Bool
    /// Whether forward runs the direct kernel (`ConvolutionGeometry.runsDirect`) instead of
    /// im2col + GEMM; tests turn it off to compare the two.
    var forwardRunsDirect: Bool
    /// Whether forward and backward run the depthwise kernels (`ConvolutionGeometry.runsDepthwise`);
    /// tests turn it off to compare with im2col + GEMM per group.
    var runsDepthwise: Bool {
        didSet { scratch = [] }
    }
    /// Whether forward (and an input gradient without parameter gradients) runs the blocked im2col path
    /// (`ConvolutionGeometry.runsColumnBlocks`); tests turn it off to compare with one product per image.
    var runsColumnBlocks: Bool
    /// Whether the strided (im2col) layers multiply by W and Wᵀ packed once (`packedWeights`) instead of
    /// packing them in every product; tests turn it off to compare the two.
    var packsColumnWeights = true
    /// Whether forward and the input gradient run Winograd F(m x m, 3x3) (`ConvolutionGeometry.runsWinograd`)
    /// instead of im2col + GEMM; tests turn it off to compare the two.
    var runsWinograd: Bool
    /// Winograd's output tile side, 2 or 4 (`ConvolutionGeometry.winogradTileSize(outChannels:)`); tests set either.
    var winogradTileSize: Int
    /// Columns up to which Winograd's products take several images at once (`ConvolutionGeometry.winogradGroup`);
    /// tests set others.
    var winogradGroupColumns = ConvolutionGeometry.winogradGroupColumns
    /// The kernels transformed for Winograd, and per part the transforms' scratch (`WinogradPass.scratchSize`).
    private var winogradKernels = WinogradKernels()
    private var winogradScratch: [Float] = []
    /// The weights packed once for the products that multiply them again and again: whole-image 1x1
    /// products (`forwardPointwise`), the strided layers' blocks and their input gradients' Wᵀ.
    private var packedWeights = PackedWeightsCache()

    init(spec: LayerSpec, inputShape: [Int], convolution: Convolution,
         initialization: WeightInitialization, generator: inout SeededGenerator) {
        self.spec = spec
        outChannels = convolution.outChannels
        groups = convolution.groups
        hasBias = convolution.hasBias
        geometry = ConvolutionGeometry(channels: inputShape[0], height: inputShape[1], width: inputShape[2],
                                       window: convolution.window)
        (weight, bias) = initialization.weightAndBias(weightShape: convolution.weightShape, using: &generator)
        if !hasBias { bias.value.scalars = Array(repeating: 0, count: outChannels) }
        forwardRunsDirect = geometry.runsDirect(groups: groups)
        runsPointwiseBlocks = geometry.runsPointwiseBlocks(groups: groups, outChannels: outChannels)
        runsPointwiseInputGradient = geometry.isPointwise && groups == 1
        runsDepthwise = geometry.runsDepthwise(groups: groups, outChannels: outChannels)
        runsWinograd = geometry.runsWinograd(groups: groups, outChannels: outChannels)
        runsColumnBlocks = geometry.runsColumnBlocks(groups: groups)
        winogradTileSize = geometry.winogradTileSize(outChannels: outChannels)
    }

    var parameters: [Parameter] { hasBias ? [weight, bias] : [weight] }

    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        if hasBias { try body(&bias) }
    }

    /// Multiply-adds per image (forward), to decide how many parts a batch is worth.
    private var multiplyAddsPerImage: Double { Double(outChannels * geometry.rows / groups * geometry.positions) }

    /// The direct kernel runs whole images, one per thread: a 1x1 layer (MobileNet's 24 → 144 at 56x56)
    /// at batch 1 would leave the other cores idle, where the blocked path splits the image's blocks.
    private func directLeavesThreadsIdle(batch: Int) -> Bool {
        forwardRunsDirect && runsPointwiseInputGradient
            && batch < Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: 2e6)
    }

    /// Splits `batch` images into parts worth a thread each (about 100 µs of work or more).
    private func imageRanges(_ batch: Int) -> [Range<Int>] {
        let parts = min(batch, Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: 2e6))
        return (0..<parts).map { part in (part * batch / parts)..<((part + 1) * batch / parts) }
    }

    private var columnsSize: Int { geometry.rows * geometry.positions }
    private var partScratchSize: Int {
        if runsDepthwise { return geometry.depthwiseScratchSize }
        return 2 * columnsSize + outChannels * geometry.rows / groups + outChannels + geometry.paddedImageSize
    }

    /// Forward needs less of a part than backward (no column gradient, no dWᵀ): one image's
    /// columns and padded copy, or none of them on the direct, pointwise and depthwise paths; an
    /// inference-only network then keeps megabytes less per layer.
    private var forwardPartScratchSize: Int {
        if runsDepthwise { return geometry.depthwiseScratchSize }
        if forwardRunsDirect { return geometry.paddedImageSize }
        if geometry.isPointwise || runsWinograd { return 1 }
        return columnsSize + geometry.paddedImageSize
    }

    /// Grows the scratch to `parts` parts of `partSize` floats (never shrinks: the next full batch needs it again).
    private mutating func reserveScratch(parts: Int, partSize: Int? = nil) {
        let needed = parts * (partSize ?? partScratchSize)
        if scratch.count < needed { scratch.append(contentsOf: repeatElement(0, count: needed - scratch.count)) }
    }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        forward(input, into: &output, clamp: .unclamped)
    }

    /// Inference: the ReLU or Clip after this layer applied to each image's output while it is in cache.
    mutating func forwardThroughClamp(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) -> Bool {
        forward(input, into: &output, clamp: clamp)
        return true
    }

    private mutating func forward(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) {
        if runsDepthwise { return forwardDepthwise(input, into: &output, clamp: clamp) }
        if runsPointwiseBlocks || directLeavesThreadsIdle(batch: input.shape[0]) {
            return forwardPointwise(input, into: &output, clamp: clamp)
        }
        if runsWinograd && !forwardRunsDirect { return forwardWinograd(input, into: &output, clamp: clamp) }
        if runsColumnBlocks { return forwardColumnBlocks(input, into: &output, clamp: clamp) }
        let relu = clamp == .relu, clamps = clamp != .unclamped && !relu
        let geometry = geometry, direct = forwardRunsDirect, pointwise = geometry.isPointwise
        let batch = input.shape[0]
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        let rows = geometry.rows, positions = geometry.positions, outChannels = outChannels
        let partSize = forwardPartScratchSize, groups = groups
        let (groupRows, groupOut) = (rows / groups, outChannels / groups)
        output.prepare(shape: [batch, outChannels, geometry.outHeight, geometry.outWidth])
        let ranges = imageRanges(batch)
        reserveScratch(parts: ranges.count, partSize: partSize)
        input.scalars.withUnsafeBufferPointer { x in
            scratch.withUnsafeMutableBufferPointer { scratch in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        bias.value.scalars.withUnsafeBufferPointer { b in
                            let (x, scratch, y, w, b) = (x.baseAddress!, scratch.baseAddress!, y.baseAddress!, w.baseAddress!, b.baseAddress!)
                            Parallel.run(parts: ranges.count) { part in
                                let columns = scratch + part * partSize
                                let padded = columns + max(0, partSize - geometry.paddedImageSize)   // unused on the pointwise path
                                for n in ranges[part] {
                                    let out = y + n * outChannels * positions
                                    if direct {
                                        geometry.pad(x + n * geometry.imageSize, into: padded)
                                        geometry.convolveDirect(padded: padded, weight: w, bias: b, outChannels: outChannels,
                                                                groups: groups, into: out, relu: relu)
                                        if clamps { lens_bias_clamp(out, Int32(outChannels), positions, nil, clamp.lowerBound, clamp.upperBound) }
                                        continue
                                    }
                                    // A 1x1 stride-1 unpadded image is its own column matrix.
                                    let source = pointwise ? x + n * geometry.imageSize : UnsafePointer(columns)
                                    if !pointwise { geometry.im2col(x + n * geometry.imageSize, into: columns, padded: padded) }
                                    for g in 0..<groups {
                                        // y_n[g's out, P] += W_g[out/G, K/G] · columns_n[g's K/G rows, P]
                                        MatrixMultiply.gemm(m: groupOut, n: positions, k: groupRows,
                                                            a: w + g * groupOut * groupRows, lda: groupRows,
                                                            b: source + g * groupRows * positions, ldb: positions,
                                                            c: out + g * groupOut * positions, ldc: positions)
                                    }
                                    // y_n = clamp(y_n + b) in one pass while the image's output is in cache
                                    lens_bias_clamp(out, Int32(outChannels), positions, b, clamp.lowerBound, clamp.upperBound)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        let geometry = geometry, pointwise = geometry.isPointwise
        let rows = geometry.rows, positions = geometry.positions, outChannels = outChannels
        let batch = input.shape[0]
        precondition(outputGradient.count == batch * outChannels * positions,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward batch")
        let needsInput = context.needsInputGradient, needsParameters = context.updatesParameterGradients
        guard needsInput || needsParameters else { return }
        if runsDepthwise {
            return backwardDepthwise(input: input, outputGradient: outputGradient, into: &inputGradient, context: context)
        }
        if runsPointwiseInputGradient && !needsParameters {
            return inputGradientPointwise(input: input, outputGradient: outputGradient, into: &inputGradient, gate: nil)
        }
        if needsInput { inputGradient.prepare(shape: input.shape) }
        if needsInput && runsWinograd {
            inputGradientWinograd(outputGradient, into: &inputGradient)
            guard needsParameters else { return }
        }
        if needsInput && !needsParameters && runsColumnBlocks, let blockRows = geometry.gradientBlockRows(outChannels: outChannels) {
            return inputGradientColumnBlocks(outputGradient, into: &inputGradient, blockRows: blockRows)
        }
        let needsColumnGradient = needsInput && !runsWinograd
        let ranges = imageRanges(batch)
        // One part (batch 1): col2im splits the image's rows over the cores instead.
        let col2imParts = ranges.count == 1 ? Parallel.parts(forWork: Double(rows * positions), minimumPerPart: 16_384) : 1
        let partSize = partScratchSize, columnsSize = columnsSize, groups = groups
        let (groupRows, groupOut) = (rows / groups, outChannels / groups)
        reserveScratch(parts: ranges.count)
        // Wᵀ packed once for every image's column gradient (one group, im2col), and at batch 1 that product
        // split over the cores on the GEMM's tiles.
        let packedT = needsColumnGradient && groups == 1 && !pointwise && packsColumnWeights
            ? packedWeights.packed(weight.value.scalars, as: geometry.gradientPacking(outChannels: outChannels, columns: positions)) : nil
        let gradientParts = ranges.count == 1
            ? Parallel.parts(forWork: 2 * Double(rows * positions * outChannels), minimumPerPart: MatrixMultiply.minimumFlopsPerThread) : 1
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                            let (dy, x, w, scratch) = (dy.baseAddress!, x.baseAddress!, w.baseAddress!, scratch.baseAddress!)
                            let dx = dx.baseAddress
                            Parallel.run(parts: ranges.count) { part in
                                let columns = scratch + part * partSize
                                let dcolumns = columns + columnsSize
                                let dwT = dcolumns + columnsSize, db = dwT + outChannels * groupRows
                                let padded = columns + partSize - geometry.paddedImageSize
                                if needsParameters { dwT.update(repeating: 0, count: outChannels * groupRows + outChannels) }
                                for n in ranges[part] {
                                    let gradient = dy + n * outChannels * positions
                                    if needsParameters {
                                        let source = pointwise ? x + n * geometry.imageSize : UnsafePointer(columns)
                                        if !pointwise { geometry.im2col(x + n * geometry.imageSize, into: columns, padded: padded) }
                                        for g in 0..<groups {
                                            // dW_gᵀ[K/G, out/G] += columns_n[g's rows, P] · dy_n[g's out, P]ᵀ (this
                                            // orientation measured 5-40% faster than dW = dy · columnsᵀ on the W4/W5 layers)
                                            MatrixMultiply.gemm(transposeB: true, m: groupRows, n: groupOut, k: positions,
                                                                a: source + g * groupRows * positions, lda: positions,
                                                                b: gradient + g * groupOut * positions, ldb: positions,
                                                                beta: 1, c: dwT + g * groupRows * groupOut, ldc: groupOut)
                                        }
                                        for o in 0..<outChannels {
                                            let row = gradient + o &* positions
                                            var sum: Float = 0
                                            for p in 0..<positions { sum += row[p] }
                                            db[o] += sum
                                        }
                                    }
                                    if needsColumnGradient, let dx {
                                        let target = pointwise ? dx + n * geometry.imageSize : dcolumns
                                        if let packedT {
                                            Parallel.run(parts: gradientParts) { p in
                                                geometry.columnGradient(gradient, packed: packedT, width: positions, part: p, of: gradientParts,
                                                                        into: dcolumns)
                                            }
                                        }
                                        for g in 0..<groups where packedT == nil {
                                            // dcolumns[g's rows, P] = W_g[out/G, K/G]ᵀ · dy_n[g's out, P]
                                            MatrixMultiply.gemm(transposeA: true, m: groupRows, n: positions, k: groupOut,
                                                                a: w + g * groupOut * groupRows, lda: groupRows,
                                                                b: gradient + g * groupOut * positions, ldb: positions,
                                                                c: target + g * groupRows * positions, ldc: positions)
                                        }
                                        if !pointwise { geometry.col2im(dcolumns, into: dx + n * geometry.imageSize, padded: padded, parts: col2imParts) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if needsParameters { addPartGradients(parts: ranges.count, replacing: context.parameterGradients == .replace) }
    }

    /// weight.gradient and bias.gradient (+)= every part's sums (in part order, so a given core
    /// count always gives the same result); the parts hold dWᵀ.
    private mutating func addPartGradients(parts: Int, replacing: Bool) {
        let partSize = partScratchSize, offset = 2 * columnsSize
        let rows = geometry.rows / groups, outChannels = outChannels, groupOut = outChannels / groups
        scratch.withUnsafeBufferPointer { scratch in
            weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                    if replacing {
                        dw.update(repeating: 0)
                        db.update(repeating: 0)
                    }
                    for part in 0..<parts {
                        let dwT = scratch.baseAddress! + part * partSize + offset, partBias = dwT + rows * outChannels
                        for o in 0..<outChannels {
                            // Output channel o is row o % (out/G) of its group's block dW_gᵀ[K/G, out/G].
                            let block = dwT + (o / groupOut) * rows * groupOut, column = o % groupOut
                            for k in 0..<rows { dw[o &* rows &+ k] += block[k &* groupOut &+ column] }
                            db[o] += partBias[o]
                        }
                    }
                }
            }
        }
    }

    mutating func releaseCaches() {
        scratch = []
        winogradScratch = []
        // winogradKernels stay: never written once made and keyed by the weights' storage, so a copy
        // (the inference scratch network) shares them instead of transforming every kernel again.
    }

    /// Grows the Winograd scratch to `parts` parts of `size` floats.
    private mutating func reserveWinogradScratch(parts: Int, size: Int) {
        let needed = parts * size
        if winogradScratch.count < needed { winogradScratch.append(contentsOf: repeatElement(0, count: needed - winogradScratch.count)) }
    }

    /// y_n = clamp(b + W ⋆ x_n) by Winograd F(m x m, 3x3), images (or groups of them) split over the cores.
    private mutating func forwardWinograd(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) {
        let geometry = geometry, batch = input.shape[0], outChannels = outChannels
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        output.prepare(shape: [batch, outChannels, geometry.outHeight, geometry.outWidth])
        let pass = geometry.winogradForward(outChannels: outChannels, tileSize: winogradTileSize)
        let (hasBias, biasValues) = (hasBias, bias.value.scalars)
        runWinograd(pass, forGradient: false, batch: batch, input: input, output: &output, gateValues: .empty) { pass, u, x, y, _, scratch in
            biasValues.withUnsafeBufferPointer { b in
                pass.run(x, kernels: u, bias: hasBias ? b.baseAddress : nil, clamp: clamp, into: y, scratch: scratch)
            }
        }
    }

    /// dx_n = dy_n ⋆ W' (the kernels turned 180°, channels swapped) by Winograd F(m x m, 3x3); with a gate,
    /// dx_n then gated on x_n = `gateValues` (the ReLU or Clip feeding the layer), channel by channel in cache.
    private mutating func inputGradientWinograd(_ outputGradient: Tensor, into inputGradient: inout Tensor,
                                                gate: ClampGate? = nil, gateValues: Tensor = .empty) {
        let pass = geometry.winogradInputGradient(outChannels: outChannels, tileSize: winogradTileSize)
        runWinograd(pass, forGradient: true, batch: outputGradient.shape[0], input: outputGradient, output: &inputGradient,
                    gateValues: gateValues) { pass, u, dy, dx, x, scratch in
            pass.run(dy, kernels: u, bias: nil, clamp: .unclamped, into: dx, scratch: scratch, gate: gate,
                     gateValues: gate == nil ? nil : x)
        }
    }

    /// Runs `body(pass, kernels, images, outputs, gate values, scratch)` over the batch in groups of images
    /// (`ConvolutionGeometry.winogradGroup`: one image when its tiles fill the products alone), the groups
    /// split over the cores; a part's groups run one after the other in its own scratch. A single group (a
    /// pass of integrated gradients on ResNet's smaller layers) runs inline and splits its own steps.
    private mutating func runWinograd(
        _ pass: WinogradPass, forGradient: Bool, batch: Int, input: Tensor, output: inout Tensor, gateValues: Tensor,
        _ body: (WinogradPass, PackedWeights, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                 UnsafePointer<Float>?, UnsafeMutablePointer<Float>) -> Void
    ) {
        let cores = imageRanges(batch).count
        let group = ConvolutionGeometry.winogradGroup(pass, batch: batch, cores: cores, columnLimit: winogradGroupColumns)
        let groups = stride(from: 0, to: batch, by: group).map { $0..<min($0 + group, batch) }
        let passes = groups.map { range in
            var part = pass
            part.images = range.count
            return part
        }
        let kernels = passes.compactMap { winogradKernels.packed(weight.value.scalars, for: $0, forGradient: forGradient) }
        precondition(kernels.count == passes.count, "\(spec.name): fewer weights than W[out][C][3][3]")   // made by init
        let parts = min(cores, groups.count), scratchSize = passes.map(\.scratchSize).max() ?? 0
        reserveWinogradScratch(parts: parts, size: scratchSize)
        let (inSize, outSize) = (pass.imageSize, pass.outputSize)
        input.scalars.withUnsafeBufferPointer { x in
            winogradScratch.withUnsafeMutableBufferPointer { scratch in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    gateValues.scalars.withUnsafeBufferPointer { gate in
                        // An empty batch has no buffers and nothing to compute.
                        guard let x = x.baseAddress, let scratch = scratch.baseAddress, let y = y.baseAddress else { return }
                        let gate = gate.baseAddress
                        Parallel.run(parts: parts) { part in
                            for g in (part * groups.count / parts)..<((part + 1) * groups.count / parts) {
                                let n = groups[g].lowerBound
                                body(passes[g], kernels[g], x + n * inSize, y + n * outSize, gate.map { $0 + n * outSize },
                                     scratch + part * scratchSize)
                            }
                        }
                    }
                }
            }
        }
    }

    /// y_n = clamp(b + W ⋆ x_n) for strided layers, im2col, product and bias in blocks of output rows
    /// kept in cache (`ConvolutionGeometry.columnBlock`), images × blocks split over the cores.
    private mutating func forwardColumnBlocks(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) {
        let geometry = geometry, batch = input.shape[0], outChannels = outChannels, hasBias = hasBias
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        output.prepare(shape: [batch, outChannels, geometry.outHeight, geometry.outWidth])
        let parts = Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: 2e6)
        let blockWidth = geometry.columnBlockWidth(outChannels: outChannels, parts: parts), partSize = geometry.rows * blockWidth
        let work = PointwiseWork(images: batch, positions: geometry.positions, blockWidth: blockWidth, outChannels: outChannels, parts: parts)
        let outSize = outChannels * geometry.positions, items = work.items, used = min(parts, items)
        reserveScratch(parts: used, partSize: partSize)
        // W packed once for the blocks' widths (the last block may be narrower, and so packed otherwise).
        let lastWidth = blockWidth > 0 ? geometry.positions - (work.columnBlocks - 1) * blockWidth : 0
        let packed = packsColumnWeights ? packedWeights.packed(weight.value.scalars, as: geometry.columnBlockPacking(outChannels: outChannels, columns: blockWidth)) : nil
        let packedLast = packsColumnWeights ? packedWeights.packed(weight.value.scalars, as: geometry.columnBlockPacking(outChannels: outChannels, columns: lastWidth)) : nil
        input.scalars.withUnsafeBufferPointer { x in
            scratch.withUnsafeMutableBufferPointer { scratch in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        bias.value.scalars.withUnsafeBufferPointer { b in
                            // An empty batch has no buffers and nothing to compute.
                            guard let x = x.baseAddress, let scratch = scratch.baseAddress, let y = y.baseAddress,
                                  let w = w.baseAddress else { return }
                            let b = hasBias ? b.baseAddress : nil
                            Parallel.run(parts: used) { part in
                                for item in (part * items / used)..<((part + 1) * items / used) {
                                    let (n, rows, columns) = work.item(item)
                                    if let packed = columns.count == blockWidth ? packed : packedLast {
                                        geometry.columnBlock(x + n * geometry.imageSize, packed: packed, bias: b, part: work.rowBlock(item),
                                                             of: work.rowBlocks, columns: columns, into: y + n * outSize, clamp: clamp,
                                                             scratch: scratch + part * partSize)
                                        continue
                                    }
                                    geometry.columnBlock(x + n * geometry.imageSize, weight: w, bias: b, rows: rows, columns: columns,
                                                         into: y + n * outSize, clamp: clamp, scratch: scratch + part * partSize)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx_n = col2im(Wᵀ · dy_n) in blocks of output rows over the cores (`ConvolutionGeometry.gradientColumnBlocks`).
    private mutating func inputGradientColumnBlocks(_ outputGradient: Tensor, into inputGradient: inout Tensor, blockRows: Int) {
        let geometry = geometry, outChannels = outChannels, batch = inputGradient.shape[0]
        let blocks = (geometry.outHeight + blockRows - 1) / blockRows, partSize = geometry.rows * blockRows * geometry.outWidth
        let parts = min(Parallel.coreCount, (blocks + 1) / 2), outSize = outChannels * geometry.positions
        reserveScratch(parts: parts, partSize: partSize)
        let packed = packsColumnWeights
            ? packedWeights.packed(weight.value.scalars, as: geometry.gradientPacking(outChannels: outChannels, columns: blockRows * geometry.outWidth)) : nil
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        // An empty batch has no buffers and nothing to compute.
                        guard let dy = dy.baseAddress, let dx = dx.baseAddress, let w = w.baseAddress,
                              let scratch = scratch.baseAddress else { return }
                        dx.update(repeating: 0, count: batch * geometry.imageSize)
                        for n in 0..<batch {
                            geometry.gradientColumnBlocks(dy + n * outSize, weight: w, packed: packed, outChannels: outChannels, blockRows: blockRows,
                                                          parts: parts, into: dx + n * geometry.imageSize, scratch: scratch, partSize: partSize)
                        }
                    }
                }
            }
        }
    }

    /// Multiply-adds a part of a blocked 1x1 forward is worth: half of an image split's (2e6), about 10 µs,
    /// as the pool's workers, awake between the layers of a pass, take a part in a few µs: MobileNetV2's
    /// 144 → 32 at 28x28 and 192 → 64 at 14x14 (2.4-3.6 M) split at batch 1 too.
    static let pointwiseWorkPerPart = 1e6

    /// y_n = clamp(b + W · x_n) for 1x1 stride-1 layers, in blocks of positions kept in cache.
    private mutating func forwardPointwise(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) {
        let geometry = geometry, batch = input.shape[0], outChannels = outChannels, hasBias = hasBias
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        output.prepare(shape: [batch, outChannels, geometry.outHeight, geometry.outWidth])
        let parts = Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: Self.pointwiseWorkPerPart)
        let work = PointwiseWork(images: batch, positions: geometry.positions, blockWidth: geometry.pointwiseBlockWidth(outChannels: outChannels),
                                 outChannels: outChannels, parts: parts)
        let outSize = outChannels * geometry.positions, items = work.items, used = min(parts, items)
        // Whole images (7x7 to 28x28): the weights packed once, not by every product.
        let packed = work.blockWidth == geometry.positions
            ? packedWeights.packed(weight.value.scalars, as: geometry.pointwisePacking(outChannels: outChannels)) : nil
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    bias.value.scalars.withUnsafeBufferPointer { b in
                        // An empty batch has no buffers and nothing to compute.
                        guard let x = x.baseAddress, let y = y.baseAddress, let w = w.baseAddress else { return }
                        let b = hasBias ? b.baseAddress : nil
                        Parallel.run(parts: used) { part in
                            for item in (part * items / used)..<((part + 1) * items / used) {
                                let (n, rows, columns) = work.item(item)
                                if let packed {
                                    geometry.pointwise(x + n * geometry.imageSize, packed: packed, bias: b, part: work.rowBlock(item),
                                                       of: work.rowBlocks, into: y + n * outSize, clamp: clamp)
                                    continue
                                }
                                geometry.pointwise(x + n * geometry.imageSize, weight: w, bias: b, rows: rows, columns: columns,
                                                   into: y + n * outSize, clamp: clamp)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether an input-gradient-only backward runs the 1x1 blocks (`inputGradientPointwise`); tests turn
    /// it off to compare with one product per image.
    var runsPointwiseInputGradient: Bool

    /// A 1x1, depthwise or Winograd layer's input gradient with the backward of the ReLU or Clip feeding it fused
    /// in (its output is `input`); only for passes that leave the parameter gradients alone.
    mutating func backwardThroughClamp(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                       gate: ClampGate) -> Bool {
        if runsWinograd {
            precondition(outputGradient.count == input.shape[0] * outChannels * geometry.positions,
                         "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward batch")
            inputGradient.prepare(shape: input.shape)
            inputGradientWinograd(outputGradient, into: &inputGradient, gate: gate, gateValues: input)
            return true
        }
        if runsDepthwise {
            backwardThroughDepthwiseClamp(input: input, outputGradient: outputGradient, into: &inputGradient, gate: gate)
            return true
        }
        guard runsPointwiseInputGradient else { return false }
        inputGradientPointwise(input: input, outputGradient: outputGradient, into: &inputGradient, gate: gate)
        return true
    }

    /// dx_n = gate(Wᵀ · dy_n) for a 1x1 stride-1 layer, in the forward's blocks of positions (images ×
    /// column blocks × row blocks of dx over the cores in one hand-off, so 3 images split evenly
    /// over 2 threads), the gate applied to each block while it is in cache.
    private mutating func inputGradientPointwise(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                                 gate: ClampGate?) {
        let geometry = geometry, batch = input.shape[0], outChannels = outChannels
        inputGradient.prepare(shape: input.shape)
        let parts = Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: 2e6)
        let work = PointwiseWork(images: batch, positions: geometry.positions, blockWidth: geometry.pointwiseBlockWidth(outChannels: outChannels),
                                 outChannels: geometry.channels, parts: parts)
        let outSize = outChannels * geometry.positions, items = work.items, used = min(parts, items)
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        // An empty batch has no buffers and nothing to compute.
                        guard let x = x.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress, let w = w.baseAddress else { return }
                        Parallel.run(parts: used) { part in
                            for item in (part * items / used)..<((part + 1) * items / used) {
                                let (n, rows, columns) = work.item(item)
                                geometry.pointwiseInputGradient(dy + n * outSize, weight: w, outChannels: outChannels, rows: rows,
                                                                columns: columns, into: dx + n * geometry.imageSize,
                                                                gate: gate, gateValues: x + n * geometry.imageSize)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Multiply-adds a depthwise part is worth: a twentieth of a product's (2e6), as these kernels do
    /// a tenth or less of the GEMM's multiply-adds per second (the stride-2 input gradient less still),
    /// and the pool's spinning workers take a part in a few µs: at batch 1 (integrated gradients'
    /// passes on MobileNetV2) the 7x7-14x14 layers, stride 2 included, split too.
    static let depthwiseWorkPerPart = 1e5

    /// A depthwise layer's input gradient with the backward of the ReLU or Clip feeding it fused in.
    mutating func backwardThroughDepthwiseClamp(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                                gate: ClampGate) {
        backwardDepthwise(input: input, outputGradient: outputGradient, into: &inputGradient,
                          context: BackwardContext(reluMode: gate.mode, parameterGradients: .skip, needsInputGradient: true), gate: gate)
    }

    /// Channels of dx gated at once: about 64 KB of them, still in L1/L2 when the gate reads them back.
    static func depthwiseGatedChannels(plane: Int) -> Int { max(1, (1 << 14) / max(plane, 1)) }

    /// Channel ranges worth a thread each: the depthwise path splits channels, not images, so
    /// batch 1 uses every core and each part owns its channels' parameter gradients.
    private func channelRanges(_ batch: Int) -> [Range<Int>] {
        let parts = min(outChannels, Parallel.parts(forWork: multiplyAddsPerImage * Double(batch), minimumPerPart: Self.depthwiseWorkPerPart))
        return (0..<parts).map { part in (part * outChannels / parts)..<((part + 1) * outChannels / parts) }
    }

    /// y_n[c] = clamp(b[c] + W[c] ⋆ x_n[c]) for every image n and channel c.
    private mutating func forwardDepthwise(_ input: Tensor, into output: inout Tensor, clamp: ClosedRange<Float>) {
        let geometry = geometry, batch = input.shape[0], outChannels = outChannels, hasBias = hasBias
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        output.prepare(shape: [batch, outChannels, geometry.outHeight, geometry.outWidth])
        let ranges = channelRanges(batch), partSize = partScratchSize, outSize = outChannels * geometry.positions
        reserveScratch(parts: ranges.count)
        input.scalars.withUnsafeBufferPointer { x in
            scratch.withUnsafeMutableBufferPointer { scratch in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        bias.value.scalars.withUnsafeBufferPointer { b in
                            let (x, scratch, y, w) = (x.baseAddress!, scratch.baseAddress!, y.baseAddress!, w.baseAddress!)
                            let b = hasBias ? b.baseAddress : nil
                            Parallel.run(parts: ranges.count) { part in
                                for n in 0..<batch {
                                    geometry.depthwise(x + n * geometry.imageSize, weight: w, bias: b, channels: ranges[part],
                                                       into: y + n * outSize, clamp: clamp, scratch: scratch + part * partSize)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx_n[c] = W[c]ᵀ ⋆ dy_n[c]; dW[c] (+)= Σ_n dy_n[c] ⋆ x_n[c]; db[c] (+)= Σ_n Σ_P dy_n[c].
    /// With a gate (a pass without parameter gradients), the clamp that feeds this layer is run on dx
    /// a few channels at a time, right after they are written (`depthwiseGatedChannels`).
    private mutating func backwardDepthwise(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                            context: BackwardContext, gate: ClampGate? = nil) {
        let geometry = geometry, batch = input.shape[0], outSize = outChannels * geometry.positions, hasBias = hasBias
        let needsInput = context.needsInputGradient, needsParameters = context.updatesParameterGradients
        if needsInput { inputGradient.prepare(shape: input.shape) }
        if context.parameterGradients == .replace {
            weight.gradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            bias.gradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        let ranges = channelRanges(batch), partSize = partScratchSize
        reserveScratch(parts: ranges.count)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                            weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                                bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                                    let (dy, x, w, scratch) = (dy.baseAddress!, x.baseAddress!, w.baseAddress!, scratch.baseAddress!)
                                    let dx = needsInput ? dx.baseAddress : nil
                                    let dw = needsParameters ? dw.baseAddress : nil
                                    let db = needsParameters && hasBias ? db.baseAddress : nil
                                    let step = gate == nil ? outChannels : Self.depthwiseGatedChannels(plane: geometry.height * geometry.width)
                                    Parallel.run(parts: ranges.count) { part in
                                        for n in 0..<batch {
                                            let image = x + n * geometry.imageSize, imageGradient = dx.map { $0 + n * geometry.imageSize }
                                            for first in stride(from: ranges[part].lowerBound, to: ranges[part].upperBound, by: step) {
                                                let channels = first..<min(first + step, ranges[part].upperBound)
                                                geometry.depthwiseBackward(image, outputGradient: dy + n * outSize, weight: w, channels: channels,
                                                                           inputGradient: imageGradient, weightGradient: dw, biasGradient: db,
                                                                           scratch: scratch + part * partSize)
                                                if let gate, let imageGradient { geometry.gate(imageGradient, by: image, channels: channels, gate) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
