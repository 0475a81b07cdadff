import Foundation
import LensExplain
import LensModels
import LensONNX
import LensTensor

/// W9: torchvision's resnet18 and mobilenet_v2 (random weights) at 224x224 RGB, read from the ONNX
/// files ../shared/bench/peers/w9_real_cnn.py exports into `$W9_DIR` (default ./w9-models), so both
/// sides run the same weights. Rows `W9-<model>-latency-bs1` (ms), `-infer-bs16` (img/s),
/// `-gradcam` and `-ig50` (ms per image, class 0, batch 1; Grad-CAM at lens's default layer, the
/// last 4-D node before global pooling; integrated gradients 50 steps), and `-rss` (MiB): the peak
/// RSS of a fresh process that loads the model and runs the inference, Grad-CAM and IG-50 rows
/// once, beside the peer's PyTorch process after its rows. Runs only when asked for (--only W9).
struct RealCNNWorkload: Workload {
    let group = "W9"
    static let models = ["resnet18", "mobilenet_v2"]
    static let side = 224

    static var directory: String { ProcessInfo.processInfo.environment["W9_DIR"] ?? "w9-models" }
    static func path(_ model: String) -> String { (directory as NSString).appendingPathComponent("\(model).onnx") }

    static func load(_ model: String) throws -> Network {
        guard case .network(let network) = try ONNXImport().load(contentsOf: URL(fileURLWithPath: path(model))).model.model else {
            throw ONNXError(path: path(model), problem: "holds no network")
        }
        return network
    }

    static func inputs(_ count: Int) -> Tensor {
        SyntheticData(count: count, itemShape: [3, side, side], classes: 2, seed: 91).images
    }

    static func explain(_ method: AttributionMethod, _ network: inout Network, _ inputs: Tensor) {
        do {
            _ = try method.attribute(&network, inputs: inputs, targets: [0], settings: AttributionSettings())
        } catch {
            fatalError("lens-bench: W9 \(method.rawValue) failed: \(error)")
        }
    }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.only != nil else { return }   // minutes of work: only on request, like run_all.sh's W9
        let effort = Effort(quick: options.quick)
        // A model runs when it or any of its rows is asked for (--only W9-resnet18-ig50 runs that row alone).
        for model in Self.models where (["", "-latency-bs1", "-infer-bs16", "-gradcam", "-ig50", "-rss"]).contains(where: {
            options.selects(group: group, id: "W9-\(model)\($0)")
        }) {
            let workload = "W9-\(model)"
            var network: Network
            do { network = try Self.load(model) } catch {
                FileHandle.standardError.write(Data("lens-bench: \(workload) skipped: \(error); export the models with W9_DIR=\(Self.directory) python ../shared/bench/peers/w9_real_cnn.py\n".utf8))
                continue
            }
            func peer(_ name: String, _ metric: String, higher: Bool) -> PeerFigure? {
                peers.figure(workload: workload, peer: name, metric: metric, higherIsBetter: higher)
            }
            let one = Self.inputs(1)
            if options.selects(group: group, id: "\(workload)-latency-bs1") {
                let seconds = Measure.medianSeconds(samples: effort.samples, warmups: 3, sampleSeconds: effort.sampleSeconds) {
                    _ = network.logits(one, batchSize: 1)
                }
                report(BenchRow(id: "\(workload)-latency-bs1", unit: "ms", ours: seconds * 1e3, higherIsBetter: false,
                                peer: peer("onnxruntime", "latency bs1", higher: false)))
            }
            if options.selects(group: group, id: "\(workload)-infer-bs16") {
                let sixteen = Self.inputs(16)
                let seconds = Measure.medianSeconds(samples: effort.samples, warmups: 1, sampleSeconds: 0) {
                    _ = network.logits(sixteen, batchSize: 16)
                }
                report(BenchRow(id: "\(workload)-infer-bs16", unit: "img/s", ours: 16 / seconds, higherIsBetter: true,
                                peer: peer("onnxruntime", "infer bs16", higher: true)))
            }
            for (method, row, metric, name) in [(AttributionMethod.gradcam, "gradcam", "GradCAM 1 img", "grad-cam"),
                                                (.integratedGradients, "ig50", "IntegratedGradients(n_steps=50) 1 img", "captum")]
            where options.selects(group: group, id: "\(workload)-\(row)") {
                let seconds = Measure.medianSeconds(samples: method == .gradcam ? effort.samples : (options.quick ? 1 : 3), warmups: 1,
                                                    sampleSeconds: 0) {
                    Self.explain(method, &network, one)
                }
                report(BenchRow(id: "\(workload)-\(row)", unit: "ms/img", ours: seconds * 1e3, higherIsBetter: false, peer: peer(name, metric, higher: false)))
            }
            if options.selects(group: group, id: "\(workload)-rss") {
                var row = BenchRow(id: "\(workload)-rss", unit: "MiB",
                                   ours: TrainingMemory.peakMiBOfChildProcess(flag: Self.memoryChildFlag, arguments: [model]), higherIsBetter: false,
                                   peer: peer("torch", "peak RSS after the rows above", higher: false),
                                   note: "peak RSS of a process running inference (bs16), Grad-CAM and IG-50 once")
                row.isTiming = false
                report(row)
            }
        }
    }

    static let memoryChildFlag = "--internal-w9-process"

    /// In the child: `model`'s inference at batch 16, Grad-CAM and IG-50 once, then this process's peak RSS in MiB.
    static func runMemoryChild(model: String) {
        do {
            var network = try load(model)
            _ = network.logits(inputs(16), batchSize: 16)
            explain(.gradcam, &network, inputs(1))
            explain(.integratedGradients, &network, inputs(1))
        } catch {
            fatalError("lens-bench: W9 \(model): \(error)")
        }
        print(String(format: "%.1f", TrainingMemory.peakMiBOfThisProcess()))
    }
}
