import Foundation
import LensExplain
import LensModels
import LensTensor

/// W7: every attribution method of the registry on the W5 CNN (random weights, as the peer's),
/// one 64x64 image and a batch of 64, in ms per image, rows `W7-<method>-b1` and `W7-<method>-b64`
/// with the CLI's method names; each explains class 0 like the peer script. Default settings:
/// integrated gradients 50 steps (Gauss–Legendre), occlusion 8x8 stride 4, SmoothGrad 25
/// samples, Grad-CAM on the last convolution's ReLU. Plus `W7-ig1000-rss`: the peak RSS of a
/// process that runs integrated gradients with 1000 steps on a batch of 64.
struct ExplanationWorkload: Workload {
    let group = "W7"
    static let side = 64

    static func inputs(_ count: Int) -> Tensor {
        SyntheticData(count: count, itemShape: [1, side, side], classes: 6, seed: 71).images
    }

    /// Runs `method` (a failure is a bug in the engine: it stops the run).
    static func explain(_ method: AttributionMethod, _ network: inout Network, _ inputs: Tensor,
                        settings: AttributionSettings = AttributionSettings()) {
        do {
            _ = try method.attribute(&network, inputs: inputs, targets: Array(repeating: 0, count: inputs.shape[0]), settings: settings)
        } catch {
            fatalError("lens-bench: \(method.rawValue) failed: \(error)")
        }
    }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        let effort = Effort(quick: options.quick)
        var network = ConvolutionWorkload(group: "W5").makeNetwork()
        for method in AttributionMethod.allCases {
            for batch in [1, 64] {
                let id = "W7-\(method.rawValue)-b\(batch)"
                guard options.selects(group: group, id: id) else { continue }
                let inputs = Self.inputs(batch)
                // A batch of 64 runs for a second or more with the slow methods: fewer samples.
                let seconds = Measure.medianSeconds(samples: batch == 1 ? effort.samples : (options.quick ? 2 : 5), warmups: 1,
                                                    sampleSeconds: batch == 1 ? effort.sampleSeconds : 0) {
                    Self.explain(method, &network, inputs)
                }
                let peer = PeerFigures.explanationMetric(method: method.rawValue, batch: batch).flatMap {
                    peers.figure(workload: "W7", peer: $0.peer, metric: $0.metric, higherIsBetter: false)
                }
                report(BenchRow(id: id, unit: "ms/img", ours: seconds * 1e3 / Double(batch), higherIsBetter: false, peer: peer,
                                note: method == .gradcam ? "our layer relu3, the peer's conv3" : nil))
            }
        }
        if options.selects(group: group, id: "W7-ig1000-rss") {
            var row = BenchRow(id: "W7-ig1000-rss", unit: "MiB",
                               ours: TrainingMemory.peakMiBOfChildProcess(flag: Self.memoryChildFlag), higherIsBetter: false,
                               note: "peak RSS of a process running integrated gradients, 1000 steps, batch of 64")
            row.isTiming = false
            report(row)
        }
    }

    static let memoryChildFlag = "--internal-w7-ig-process"

    /// In the child: integrated gradients with 1000 steps on 64 images, then this process's peak RSS in MiB.
    static func runMemoryChild() {
        var network = ConvolutionWorkload(group: "W5").makeNetwork()
        var settings = AttributionSettings()
        settings.integrationSteps = 1000
        explain(.integratedGradients, &network, inputs(64), settings: settings)
        print(String(format: "%.1f", TrainingMemory.peakMiBOfThisProcess()))
    }
}
