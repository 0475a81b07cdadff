import LensModels
import LensTensor

/// Deletion and insertion curves (Samek et al. 2017; Petsiuk et al. 2018): the probability of the
/// explained class as the pixels are set to a baseline (deletion) or copied from the input onto
/// it (insertion) in the map's order, `stepFraction` of the pixels per step, and the area under
/// each curve (trapezoid, x the share of pixels in [0, 1]). Beside every method's curve: its
/// reversed order, a random order and the brightness order, on the same images and baseline.
/// A faithful map's deletion area is small and its insertion area large.
public enum Faithfulness {
    public static func run(_ network: Network, sample: TrustSample, settings: TrustSettings = TrustSettings(),
                           attribution: AttributionSettings = AttributionSettings(),
                           context: AttributionContext = AttributionContext(),
                           methods: [AttributionMethod] = AttributionMethod.allCases,
                           progress: (Double) -> Void = { _ in }) throws -> FaithfulnessReport {
        try settings.validate()
        let geometry = MapGeometry(network)
        let baselines = try settings.baselines.map { ($0, try baselineImages($0, sample: sample, geometry: geometry, settings: settings,
                                                                               context: context)) }
        var model = network
        var maps: [(AttributionMethod, MethodMaps)] = []
        for method in methods {
            maps.append((method, try MethodMaps.run(method, &model, sample: sample, settings: attribution, context: context)))
        }
        let magnitudes = maps.map { method, result -> [[Float]]? in
            if case .maps(let tensor) = result { PixelMagnitudes.of(tensor, inputShape: geometry.inputShape) } else { nil }
        }
        let counts = stepCounts(pixels: geometry.pixels, fraction: settings.stepFraction)
        let fractions = counts.map { Double($0) / Double(geometry.pixels) }

        // [baseline][method or control][kind] accumulators.
        let controlRankings: [PixelRanking] = [.random, .brightness]
        var controls = Array(repeating: Array(repeating: [CurveAccumulator](repeating: CurveAccumulator(), count: 2), count: 2),
                             count: baselines.count)
        var methodCurves = Array(repeating: Array(repeating: Array(repeating: [CurveAccumulator](repeating: CurveAccumulator(), count: 2),
                                                                   count: 2), count: methods.count), count: baselines.count)
        var wins = Array(repeating: Array(repeating: [0, 0], count: methods.count), count: baselines.count)
        var excluded = Array(repeating: (constant: 0, unhealthy: 0), count: methods.count)

        // The reversed order needs no passes of its own: deleting in reversed order up to k pixels
        // leaves the image that inserting in the map's order up to P − k pixels makes, so the map's
        // order is run at the counts and their complements, and the reversed curves read from it.
        let pixels = geometry.pixels
        let mapCounts = Array(Set(counts + counts.map { pixels - $0 })).sorted()
        let position = Dictionary(uniqueKeysWithValues: mapCounts.enumerated().map { ($1, $0) })
        for item in 0..<sample.count {
            // The orders this image is perturbed in: the two controls, then the map's order per usable method.
            var jobs = [(PixelRanking.random(pixels: pixels, seed: settings.seed, item: item), counts),
                        (PixelRanking.descending(PixelRanking.brightness(of: sample.images, item: item, geometry: geometry)), counts)]
            var usable: [Int] = []
            for (index, perImage) in magnitudes.enumerated() {
                guard let map = perImage?[item] else { continue }
                let check = MapCheck(map)
                if check.nanCount > 0 || check.infiniteCount > 0 { excluded[index].unhealthy += 1; continue }
                if check.isConstant { excluded[index].constant += 1; continue }
                jobs.append((PixelRanking.descending(map), mapCounts))
                usable.append(index)
            }
            for (b, baseline) in baselines.enumerated() {
                // curves[job][kind][point]
                let curves = try probabilityCurves(network, sample: sample, item: item, baseline: baseline.1, jobs: jobs,
                                                   geometry: geometry)
                guard curves.allSatisfy({ $0.allSatisfy { $0.allSatisfy(\.isFinite) } }) else {
                    throw ExplainError.invalidInput("the model gives a probability that is not a number on test image "
                                                    + "\(sample.indices[item]); its weights hold NaN or infinity (retrain it)")
                }
                for control in controlRankings.indices {
                    for kind in 0..<2 { controls[b][control][kind].add(curves[control][kind], x: fractions) }
                }
                let random = curves[0].map { area($0, x: fractions) }
                for (slot, index) in usable.enumerated() {
                    let both = curves[2 + slot]
                    let map = (0..<2).map { kind in counts.map { both[kind][position[$0]!] } }
                    let reversed = (0..<2).map { kind in counts.map { both[1 - kind][position[pixels - $0]!] } }
                    for kind in 0..<2 {
                        methodCurves[b][index][0][kind].add(map[kind], x: fractions)
                        methodCurves[b][index][1][kind].add(reversed[kind], x: fractions)
                    }
                    if area(map[0], x: fractions) < random[0] { wins[b][index][0] += 1 }
                    if area(map[1], x: fractions) > random[1] { wins[b][index][1] += 1 }
                }
            }
            progress(Double(item + 1) / Double(sample.count))
        }

        let reports = methods.enumerated().map { index, method -> MethodFaithfulness in
            if case .notApplicable(let reason) = maps[index].1 {
                return MethodFaithfulness(method: method, notApplicable: reason, baselines: [])
            }
            let perBaseline = baselines.enumerated().map { b, baseline in
                let comparisons = (0..<2).map { kind in
                    let used = methodCurves[b][index][0][kind].count
                    return CurveComparison(map: methodCurves[b][index][0][kind].curve, reversed: methodCurves[b][index][1][kind].curve,
                                           random: controls[b][0][kind].curve, brightness: controls[b][1][kind].curve,
                                           shareBeatingRandom: used > 0 ? Double(wins[b][index][kind]) / Double(used) : nil,
                                           images: used, constantMaps: excluded[index].constant,
                                           unhealthyMaps: excluded[index].unhealthy)
                }
                return BaselineFaithfulness(baseline: baseline.0, deletion: comparisons[0], insertion: comparisons[1])
            }
            return MethodFaithfulness(method: method, notApplicable: nil, baselines: perBaseline)
        }
        return FaithfulnessReport(settings: settings, fractions: fractions, imageIndices: sample.indices, targets: sample.targets,
                                  methods: reports)
    }

    /// Pixels changed after each step: 0, then `fraction` of them more per step, the last step all.
    static func stepCounts(pixels: Int, fraction: Double) -> [Int] {
        let steps = Int((1 / fraction).rounded(.up))
        return (0...steps).map { min(pixels, Int((Double($0) * fraction * Double(pixels)).rounded())) }
    }

    /// The trapezoid area under `y` over `x`.
    static func area(_ y: [Double], x: [Double]) -> Double {
        var total = 0.0
        guard x.count > 1, y.count > 1 else { return total }
        for i in 1..<min(x.count, y.count) { total += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2 }
        return total
    }

    /// The baseline image of every sample image [n, ...input shape].
    static func baselineImages(_ baseline: AttributionSettings.Baseline, sample: TrustSample, geometry: MapGeometry,
                               settings: TrustSettings, context: AttributionContext) throws -> Tensor {
        let n = sample.count, itemSize = geometry.inputShape.reduce(1, *)
        switch baseline {
        case .zeros:
            return Tensor(shape: sample.images.shape)
        case .mean:
            guard let mean = context.meanImage else {
                throw ExplainError.invalidInput("the mean baseline needs the mean training image; give it, or use the zeros or blurred baseline")
            }
            guard mean.count == itemSize else {
                throw ExplainError.invalidInput("the mean image has \(mean.count) values (shape \(mean.shape)) but the model's input "
                                                + "\(geometry.inputShape) has \(itemSize)")
            }
            return Tensor(shape: sample.images.shape, scalars: Array((0..<n).map { _ in mean.scalars }.joined()))
        case .blurred:
            guard geometry.inputShape.count == 3 else {
                throw ExplainError.invalidInput("the blurred baseline needs image inputs [C, H, W]; this model takes "
                                                + "\(geometry.inputShape): use the zeros or mean baseline")
            }
            return GaussianBlur.apply(sample.images.reshaped([n] + geometry.inputShape), sigma: settings.blurSigma)
                .reshaped(sample.images.shape)
        }
    }

    /// For each job (an order and the pixel counts to stop at), the deletion and insertion curves
    /// of image `item`: every step of every job in one batch through `network.probabilities`.
    static func probabilityCurves(_ network: Network, sample: TrustSample, item: Int, baseline: Tensor,
                                  jobs: [(order: [Int], counts: [Int])], geometry: MapGeometry) throws -> [[[Double]]] {
        let itemSize = geometry.inputShape.reduce(1, *), pixels = geometry.pixels, channels = geometry.channels
        let input = Array(sample.images.scalars[(item * itemSize)..<((item + 1) * itemSize)])
        let reference = Array(baseline.scalars[(item * itemSize)..<((item + 1) * itemSize)])
        let total = jobs.reduce(0) { $0 + 2 * $1.counts.count }
        var batch = [Float](repeating: 0, count: total * itemSize)
        var offset = 0
        for job in jobs {
            for kind in 0..<2 {
                // Deletion starts from the input and takes pixels to the baseline; insertion the reverse.
                let (start, end) = kind == 0 ? (input, reference) : (reference, input)
                var current = start
                var changed = 0
                for count in job.counts {
                    while changed < count {
                        let pixel = job.order[changed]
                        for channel in 0..<channels { current[channel * pixels + pixel] = end[channel * pixels + pixel] }
                        changed += 1
                    }
                    batch.replaceSubrange((offset * itemSize)..<((offset + 1) * itemSize), with: current)
                    offset += 1
                }
            }
        }
        let probabilities = network.probabilities(Tensor(shape: [total] + geometry.inputShape, scalars: batch), batchSize: 256)
        let classes = network.architecture.classCount, target = sample.targets[item]
        var row = 0
        return jobs.map { job in
            (0..<2).map { _ in
                job.counts.map { _ in
                    defer { row += 1 }
                    return Double(probabilities.scalars[row * classes + target])
                }
            }
        }
    }
}

/// Per-image areas and the running mean curve of one ranking.
struct CurveAccumulator {
    var areas: [Double] = []
    var sums: [Double] = []
    var count: Int { areas.count }

    mutating func add(_ y: [Double], x: [Double]) {
        areas.append(Faithfulness.area(y, x: x))
        if sums.isEmpty { sums = y } else { for i in sums.indices { sums[i] += y[i] } }
    }

    var curve: Curve { Curve(auc: Spread(areas), meanCurve: sums.map { $0 / Double(max(count, 1)) }) }
}
