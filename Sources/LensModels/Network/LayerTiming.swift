import Foundation
import LensTensor

/// Where an inference pass spends its time, layer by layer: what a sampling profiler cannot say
/// once the layers share their kernels (every 1x1 convolution is the same GEMM symbol).
final class LayerStopwatch {
    private(set) var seconds: [Double]
    private let clock: clockid_t

    /// `wall`: the monotonic clock, what a layer costs the pass with the threads it splits over
    /// (hand-offs and waits for the slower part included); else the calling thread's CPU clock.
    init(layers: Int, wall: Bool = false) {
        seconds = Array(repeating: 0, count: layers)
        clock = wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID
    }

    /// The CPU clock: with one thread (`Parallel.maximumThreads` 1) a layer's whole work, and what
    /// other processes on a loaded machine do not inflate.
    func now() -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    func charge(_ layer: Int, since start: Double) { seconds[layer] += now() - start }
}

extension Network {
    /// Inference as `logits` runs it on one batch (a ReLU or Clip fused into the layer before it),
    /// once to warm up and then `repetitions` times: per layer, the calling thread's CPU seconds per
    /// pass (a fused activation's time is its layer's, and it shows 0). Run it with
    /// `Parallel.maximumThreads` 1 for each layer's whole work; `wall` times the monotonic clock instead.
    public func inferenceLayerSeconds(_ input: Tensor, repetitions: Int, wall: Bool = false) -> [Double] {
        var network = self
        let batch = network.reshapedToItems(input), layerCount = architecture.layers.count
        var unused: [String: Tensor] = [:]
        _ = network.run(batch, layers: 0..<layerCount, training: false, fusingReLU: true, sharingBuffers: true, capturing: [], into: &unused)
        let stopwatch = LayerStopwatch(layers: layerCount, wall: wall)
        for _ in 0..<max(repetitions, 1) {
            _ = network.run(batch, layers: 0..<layerCount, training: false, fusingReLU: true, sharingBuffers: true, capturing: [], into: &unused,
                            stopwatch: stopwatch)
        }
        return stopwatch.seconds.map { $0 / Double(max(repetitions, 1)) }
    }
}
