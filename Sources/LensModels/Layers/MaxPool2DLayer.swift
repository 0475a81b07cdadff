import LensTensor

/// Max pooling over k x k windows with a stride (no padding, floor rule, as PyTorch's defaults):
/// x [N, C, H, W] → y [N, C, H', W'], H' = (H − k) / stride + 1.
///
/// Forward keeps the switches (where each maximum came from; the first one on ties, as PyTorch);
/// backward sends every output gradient back to its switch, in every ReLU mode — that routing is
/// what makes deconvnet projections land on the pixels that fired.
struct MaxPool2DLayer: Layer {
    let spec: LayerSpec
    let channels: Int
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int
    var outHeight: Int { (height - kernel) / stride + 1 }
    var outWidth: Int { (width - kernel) / stride + 1 }
    /// For each output of the last forward batch, the index of its maximum within its [H, W] plane.
    private var switches: [Int32] = []
    private var batch = 0

    init(spec: LayerSpec, inputShape: [Int], kernel: Int, stride: Int) {
        self.spec = spec
        channels = inputShape[0]
        height = inputShape[1]
        width = inputShape[2]
        self.kernel = kernel
        self.stride = stride
    }

    /// Planes per thread: pooling is memory-bound, so a second thread pays from about 2^17 values.
    private func planeChunk() -> Int { max(1, (1 << 17) / max(height * width, 1)) }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        batch = input.shape[0]
        precondition(input.count == batch * channels * height * width,
                     "\(spec.name): expected [N, \(channels), \(height), \(width)], got \(input.shape)")
        let planes = batch * channels, outHeight = outHeight, outWidth = outWidth
        let (height, width, kernel, stride) = (height, width, kernel, stride)
        let outputCount = planes * outHeight * outWidth, chunk = planeChunk()
        if switches.count > outputCount {   // shrinking keeps the capacity for the next full batch
            switches.removeLast(switches.count - outputCount)
        } else if switches.count < outputCount {
            switches.append(contentsOf: repeatElement(0, count: outputCount - switches.count))
        }
        output.prepare(shape: [batch, channels, outHeight, outWidth])
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                switches.withUnsafeMutableBufferPointer { switches in
                    let (x, y, switches) = (x.baseAddress!, y.baseAddress!, switches.baseAddress!)
                    Parallel.forEachChunk(count: planes, minimumChunk: chunk) { planeRange in
                        // Wrapping arithmetic: the indices are in range by construction; this keeps
                        // overflow checks out of the innermost loop.
                        for plane in planeRange {
                            let source = x + plane &* height &* width
                            let outBase = plane &* outHeight &* outWidth
                            if kernel == 2 && stride == 2 {
                                Self.pool2x2(source, width: width, outHeight: outHeight, outWidth: outWidth,
                                             into: y + outBase, switches: switches + outBase)
                                continue
                            }
                            for oy in 0..<outHeight {
                                for ox in 0..<outWidth {
                                    let corner = oy &* stride &* width &+ ox &* stride
                                    var best = corner
                                    var bestValue = source[corner]
                                    for ky in 0..<kernel {
                                        let rowStart = corner &+ ky &* width
                                        for kx in 0..<kernel {
                                            let value = source[rowStart &+ kx]
                                            // NaN wins, as in PyTorch, so it shows rather than hides.
                                            if value > bestValue || value.isNaN {
                                                best = rowStart &+ kx
                                                bestValue = value
                                            }
                                        }
                                    }
                                    y[outBase &+ oy &* outWidth &+ ox] = bestValue
                                    switches[outBase &+ oy &* outWidth &+ ox] = Int32(truncatingIfNeeded: best)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The common 2x2, stride 2 case, eight (or four) outputs at a time on SIMD lanes (same rule:
    /// first maximum wins, NaN wins); rows of fewer than four outputs one by one.
    @inline(__always)
    private static func pool2x2(_ source: UnsafePointer<Float>, width: Int, outHeight: Int, outWidth: Int,
                                into output: UnsafeMutablePointer<Float>, switches: UnsafeMutablePointer<Int32>) {
        let laneOffsets = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        let width32 = Int32(truncatingIfNeeded: width)
        for oy in 0..<outHeight {
            let top = 2 &* oy &* width
            var ox = 0
            // Blocks of eight outputs; a short last block moves back to end at the row's end
            // (recomputing a few outputs: same values). 16 floats from 2·ox stay inside the row.
            while outWidth >= 8 && ox < outWidth {
                ox = min(ox, outWidth &- 8)
                let corner = top &+ 2 &* ox
                let upper = UnsafeRawPointer(source + corner).loadUnaligned(as: SIMD16<Float>.self)
                let lower = UnsafeRawPointer(source + (corner &+ width)).loadUnaligned(as: SIMD16<Float>.self)
                var best = upper.evenHalf
                var offset = SIMD8<Int32>(repeating: 0)
                @inline(__always) func challenge(_ candidate: SIMD8<Float>, _ candidateOffset: Int32) {
                    let wins = (candidate .> best) .| (candidate .!= candidate)
                    best.replace(with: candidate, where: wins)
                    offset.replace(with: SIMD8(repeating: candidateOffset), where: wins)
                }
                challenge(upper.oddHalf, 1)
                challenge(lower.evenHalf, width32)
                challenge(lower.oddHalf, width32 &+ 1)
                UnsafeMutableRawPointer(output + (oy &* outWidth &+ ox)).storeBytes(of: best, as: SIMD8<Float>.self)
                let index = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: corner)) &+ laneOffsets &+ offset
                UnsafeMutableRawPointer(switches + (oy &* outWidth &+ ox)).storeBytes(of: index, as: SIMD8<Int32>.self)
                ox &+= 8
            }
            // Rows narrower than eight outputs: four at a time the same way. (Written out twice on
            // purpose: one generic block over the lane types was not specialised and made W5
            // training 2.4x slower.)
            while outWidth >= 4 && outWidth < 8 && ox < outWidth {
                ox = min(ox, outWidth &- 4)
                let corner = top &+ 2 &* ox
                let upper = UnsafeRawPointer(source + corner).loadUnaligned(as: SIMD8<Float>.self)
                let lower = UnsafeRawPointer(source + (corner &+ width)).loadUnaligned(as: SIMD8<Float>.self)
                var best = upper.evenHalf
                var offset = SIMD4<Int32>(repeating: 0)
                @inline(__always) func challenge(_ candidate: SIMD4<Float>, _ candidateOffset: Int32) {
                    let wins = (candidate .> best) .| (candidate .!= candidate)
                    best.replace(with: candidate, where: wins)
                    offset.replace(with: SIMD4(repeating: candidateOffset), where: wins)
                }
                challenge(upper.oddHalf, 1)
                challenge(lower.evenHalf, width32)
                challenge(lower.oddHalf, width32 &+ 1)
                UnsafeMutableRawPointer(output + (oy &* outWidth &+ ox)).storeBytes(of: best, as: SIMD4<Float>.self)
                let index = SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: corner)) &+ laneOffsets.lowHalf &+ offset
                UnsafeMutableRawPointer(switches + (oy &* outWidth &+ ox)).storeBytes(of: index, as: SIMD4<Int32>.self)
                ox &+= 4
            }
            while ox < outWidth {
                let corner = top &+ 2 &* ox
                var best = corner
                var bestValue = source[corner]
                @inline(__always) func challenge(_ candidate: Int) {
                    // Selects rather than branches: which value wins is unpredictable.
                    let value = source[candidate]
                    let wins = value > bestValue || value != value
                    best = wins ? candidate : best
                    bestValue = wins ? value : bestValue
                }
                challenge(corner &+ 1)
                challenge(corner &+ width)
                challenge(corner &+ width &+ 1)
                output[oy &* outWidth &+ ox] = bestValue
                switches[oy &* outWidth &+ ox] = Int32(truncatingIfNeeded: best)
                ox &+= 1
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        let planes = batch * channels, outputsPerPlane = outHeight * outWidth, inputsPerPlane = height * width
        precondition(outputGradient.count == planes * outputsPerPlane,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward batch")
        guard context.needsInputGradient else { return }
        inputGradient.prepare(shape: [batch, channels, height, width])
        let chunk = planeChunk()
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            switches.withUnsafeBufferPointer { switches in
                inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    let (dy, switches, dx) = (dy.baseAddress!, switches.baseAddress!, dx.baseAddress!)
                    Parallel.forEachChunk(count: planes, minimumChunk: chunk) { planeRange in
                        for plane in planeRange {
                            let target = dx + plane &* inputsPerPlane
                            target.update(repeating: 0, count: inputsPerPlane)
                            for j in 0..<outputsPerPlane {
                                let output = plane &* outputsPerPlane &+ j
                                target[Int(switches[output])] += dy[output]
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func releaseCaches() {
        switches = []
        batch = 0
    }
}
