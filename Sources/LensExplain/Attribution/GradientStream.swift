import LensModels
import LensTensor

/// Points around each input streamed through the network `batchSize` at a time, and the weighted
/// sum of the target gradients at them, per item: SmoothGrad's noisy copies and integrated
/// gradients' path points. Memory is one batch of points plus one sum per item, whatever the
/// number of points (1000 integration steps cost time, not memory).
struct GradientStream {
    /// Points per item; point k of every item has weight `weights[k]`.
    var weights: [Float]
    var batchSize: Int
    /// Sums weight·g² instead of weight·g (SmoothGrad-Squared).
    var squared = false
    var progress: (@Sendable (Double) -> Void)?
    /// Where the points enter: the network input, or the output of an affine first layer
    /// (`Network.firstLayerIsAffine`), whose gradient is then summed instead of the input's.
    var entry = Entry.input

    enum Entry { case input, firstLayerOutput }

    /// Σₖ weights[k] · ∂ logit[targetᵢ] / ∂ input at point k of item i, shaped like `inputs` (at the first
    /// layer's output: [items] + its output shape, for `entry` `.firstLayerOutput`).
    /// `fill(item, point, destination)` writes that point (one item's scalars, at the entry). It is called in
    /// order, item by item and point by point, so a random generator in it gives the same points
    /// whatever the batch size.
    func sum(_ network: inout Network, inputs: Tensor, targets: [Int], against: [Int]? = nil,
             fill: (Int, Int, UnsafeMutableBufferPointer<Float>) -> Void) throws -> Tensor {
        let items = inputs.shape[0], points = weights.count
        let itemShape = entry == .input ? Array(inputs.shape.dropFirst()) : network.firstLayerOutputShape
        let itemSize = itemShape.reduce(1, *)
        var sums = Tensor(shape: [items] + itemShape)
        let total = items * points
        // Two buffers of points, refilled in turn: the network keeps the last batch it read until
        // the next forward, so writing into the other one never copies or allocates.
        var batch = Tensor.empty, previous = Tensor.empty
        var batchTargets: [Int] = [], batchAgainst: [Int] = []
        let perPass = Self.itemsPerPass(network.architecture, requested: batchSize)
        var start = 0
        while start < total {
            let end = min(start + perPass, total)
            swap(&batch, &previous)
            batch.prepare(shape: [end - start] + itemShape)
            batchTargets.removeAll(keepingCapacity: true)
            batchAgainst.removeAll(keepingCapacity: true)
            batch.scalars.withUnsafeMutableBufferPointer { buffer in
                for point in start..<end {
                    let offset = (point - start) * itemSize
                    fill(point / points, point % points, UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + itemSize)]))
                }
            }
            for point in start..<end { batchTargets.append(targets[point / points]) }
            if let against { for point in start..<end { batchAgainst.append(against[point / points]) } }
            let pointAgainst = against == nil ? nil : batchAgainst
            let gradient = switch entry {
            case .input: try network.targetGradients(batch, targets: batchTargets, against: pointAgainst).input
            case .firstLayerOutput: try network.targetGradientsAboveFirstLayer(batch, targets: batchTargets, against: pointAgainst)
            }
            accumulate(gradient, points: start..<end, into: &sums, itemSize: itemSize)
            progress?(Double(end) / Double(total))
            start = end
        }
        return sums
    }

    /// Activation memory one forward/backward pass may plan for: on a large network (a ResNet at
    /// 224×224) the batch shrinks so that integrated gradients stays within a GiB, whatever was asked.
    static let passBudgetBytes = 192.0 * 1024 * 1024

    /// `requested` points per pass, fewer when their activations would exceed `passBudgetBytes`
    /// (the sums do not depend on it: the points are the same, only grouped otherwise).
    static func itemsPerPass(_ architecture: Architecture, requested: Int) -> Int {
        let perItem = MemoryEstimate(architecture, batchSize: 1, threads: 0).activationBytes
        return max(1, min(max(requested, 1), Int(passBudgetBytes / max(perItem, 1))))
    }

    private func accumulate(_ gradient: Tensor, points range: Range<Int>, into sums: inout Tensor, itemSize: Int) {
        let points = weights.count
        gradient.scalars.withUnsafeBufferPointer { gradients in
            sums.scalars.withUnsafeMutableBufferPointer { sums in
                guard let g = gradients.baseAddress, let s = sums.baseAddress else { return }
                // Over the cores by runs of each item's scalars: a ResNet stem's output is 800 k floats a point.
                Parallel.forEachChunk(count: itemSize, minimumChunk: Parallel.elementwiseChunk) { run in
                    for point in range {
                        let weight = weights[point % points]
                        let source = g + (point - range.lowerBound) * itemSize, target = s + (point / points) * itemSize
                        if squared {
                            for j in run { target[j] += weight * source[j] * source[j] }
                        } else {
                            for j in run { target[j] += weight * source[j] }
                        }
                    }
                }
            }
        }
    }
}
