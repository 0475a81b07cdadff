import Foundation
import LensTensor

/// Where an inference pass spends its time, layer by layer: what a sampling profiler cannot say
/// once the layers share their kernels (every 1x1 convolution is the same GEMM symbol).
final class LayerStopwatch {
    private(set) var seconds: [Double]

    init(layers: Int) { seconds = Array(repeating: 0, count: layers) }

    /// The calling thread's CPU clock: with one thread (`Parallel.maximumThreads` 1) a layer's
    /// whole work, and what other processes on a loaded machine do not inflate.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    func charge(_ layer: Int, since start: Double) { seconds[layer] += Self.now() - start }
}

extension Network {
    /// Inference as `logits` runs it on one batch (a ReLU or Clip fused into the layer before it),
    /// once to warm up and then `repetitions` times: per layer, the calling thread's CPU seconds per
    /// pass (a fused activation's time is its layer's, and it shows 0). Run it with
    /// `Parallel.maximumThreads` 1 for each layer's whole work.
    public func inferenceLayerSeconds(_ input: Tensor, repetitions: Int) -> [Double] {
        var network = self
        let batch = network.reshapedToItems(input), layerCount = architecture.layers.count
        var unused: [String: Tensor] = [:]
        _ = network.run(batch, layers: 0..<layerCount, training: false, fusingReLU: true, capturing: [], into: &unused)
        let stopwatch = LayerStopwatch(layers: layerCount)
        for _ in 0..<max(repetitions, 1) {
            _ = network.run(batch, layers: 0..<layerCount, training: false, fusingReLU: true, capturing: [], into: &unused,
                            stopwatch: stopwatch)
        }
        return stopwatch.seconds.map { $0 / Double(max(repetitions, 1)) }
    }
}
