import Foundation
import LensData
import LensExplain
import LensModels
import LensTensor

// The figures of BENCHMARKS.md "Trust checks": trains a model of the kind named (cnn, mlp,
// softmax) on ORL 64x64 with the default recipe, then times and prints sanity, faithfulness
// (zeros, mean and blurred baselines) and, with --data, data randomisation; --per-method times
// sanity for each method alone. Run it through
// scripts/trust-figures.sh, which builds it in release against this checkout. Linux (getrusage).
func cpu() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
var lastCPU = 0.0
@MainActor func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date(), startCPU = cpu()
    try body()
    lastCPU = cpu() - startCPU
    return Date().timeIntervalSince(start)
}
func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "  -  " }

let data = try DatasetLoader.load(.orl, preprocessing: Preprocessing(size: 64, channels: 1))
let split = SplitPlan.orl.split(labels: data.labels)
let train = (data.images.gather(split.train), split.train.map { data.labels[$0] })
let validation = (data.images.gather(split.validation), split.validation.map { data.labels[$0] })
let test = data.images.gather(split.test)
let mean = Tensor(shape: [1, 64, 64], scalars: (0..<4096).map { p in
    (0..<train.1.count).reduce(Float(0)) { $0 + train.0.scalars[$1 * 4096 + p] } / Float(train.1.count)
})
let context = AttributionContext(meanImage: mean)
let kindArg = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "cnn"
guard let kind = ModelKind(rawValue: kindArg), kind != .knn else {
    print("usage: trust-figures cnn|mlp|softmax [--data]")
    exit(2)
}
let recipe = ModelRecipe.defaults(for: kind, trainingCount: train.1.count, seed: 0)
let architecture = try recipe.architecture(inputShape: [1, 64, 64], classes: 40)
var network: Network!
var history: TrainingHistory!
let trainSeconds = try seconds { (network, history) = try recipe.trainNetwork(architecture, train: train, validation: validation) }
let testLabels = split.test.map { data.labels[$0] }
print("model \(kind) \(architecture.layerNames.joined(separator: ",")) trained in \(f(trainSeconds)) s wall \(f(lastCPU)) s CPU, \(history.epochs.count) epochs, test accuracy \(f(Trainer.evaluate(network, images: test, labels: testLabels).accuracy))")
print("methods registered: \(AttributionMethod.names.joined(separator: ", "))")

var settings = TrustSettings()
settings.baselines = [.zeros, .mean, .blurred]
var sanity: SanityReport!
let sanitySeconds = try seconds { sanity = try TrustCheck.sanity(.network(network), testImages: test, settings: settings, context: context) }
print("sanity: \(settings.samples) images, every method: \(f(sanitySeconds)) s wall, \(f(lastCPU)) s CPU")
for method in sanity.randomisation.methods {
    if let reason = method.notApplicable { print("  \(method.method.rawValue): not applicable: \(reason)"); continue }
    print("  \(method.method.rawValue) verdict \(method.verdict!.outcome.rawValue) (top-step mean Spearman \(f(method.verdict!.topStepSpearman)))")
    for (name, steps) in [("cascade", method.cascading), ("alone", method.independent)] {
        let cells = steps.map { s in "\(s.layer) ρ \(f(s.agreement.spearman?.mean))±\(f(s.agreement.spearman?.std)) ssim \(f(s.agreement.ssim?.mean)) const \(s.agreement.constantMaps)" }
        print("    \(name): " + cells.joined(separator: " | "))
    }
}
if let exact = sanity.exactAnswers {
    for check in exact { print("  exact \(check.method): max diff \(check.largestDifference.map { "\($0)" } ?? "-") of max \(check.largestExpected.map { "\($0)" } ?? "-") \(check.notAvailable ?? "")") }
}

if CommandLine.arguments.contains("--per-method") {
    for method in AttributionMethod.allCases {
        let t = try seconds { _ = try TrustCheck.sanity(.network(network), testImages: test, settings: settings, context: context, methods: [method]) }
        print("  sanity \(method.rawValue): \(f(t)) s wall, \(f(lastCPU)) s CPU")
    }
}
var faithfulness: FaithfulnessReport!
let faithSeconds = try seconds { faithfulness = try TrustCheck.faithfulness(.network(network), testImages: test, settings: settings, context: context) }
print("faithfulness: \(settings.samples) images, step 1/32, baselines zeros/mean/blurred(σ 5), every method: \(f(faithSeconds)) s wall, \(f(lastCPU)) s CPU")
print("  method            baseline  | deletion AUC: map  reversed random brightness share<random | insertion AUC: map reversed random brightness share>random")
for method in faithfulness.methods {
    if let reason = method.notApplicable { print("  \(method.method.rawValue): not applicable: \(reason)"); continue }
    for b in method.baselines {
        let d = b.deletion, i = b.insertion
        print("  \(method.method.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(b.baseline.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  | \(f(d.map.auc?.mean)) \(f(d.reversed.auc?.mean)) \(f(d.random.auc?.mean)) \(f(d.brightness.auc?.mean)) \(f(d.shareBeatingRandom)) | \(f(i.map.auc?.mean)) \(f(i.reversed.auc?.mean)) \(f(i.random.auc?.mean)) \(f(i.brightness.auc?.mean)) \(f(i.shareBeatingRandom))")
    }
}

if CommandLine.arguments.contains("--data") {
    let sample = try TrustSample(choosingFrom: test, network: network, settings: settings)
    var report: DataRandomisationReport!
    let dataSeconds = try seconds {
        report = try DataRandomisation.run(network, recipe: recipe, train: train, validation: validation, sample: sample, settings: settings,
                                           context: context) { print("  .. \($0)") }
    }
    print("data randomisation: \(f(dataSeconds)) s wall, \(f(lastCPU)) s CPU; real train acc \(f(report.realTrainingAccuracy)); shuffled: \(report.shuffled.epochs) epochs (\(report.shuffled.rounds) rounds, raised \(report.shuffled.epochsRaised)) train acc \(f(report.shuffled.trainingAccuracy)); control train acc \(f(report.control.trainingAccuracy))")
    for m in report.methods {
        if let reason = m.notApplicable { print("  \(m.method.rawValue): not applicable: \(reason)"); continue }
        print("  \(m.method.rawValue): vs control ρ \(f(m.realVsControl?.spearman?.mean)) ssim \(f(m.realVsControl?.ssim?.mean)); vs shuffled ρ \(f(m.realVsShuffled?.spearman?.mean)) ssim \(f(m.realVsShuffled?.ssim?.mean)); \(m.verdict?.outcome.rawValue ?? "-")")
    }
}
