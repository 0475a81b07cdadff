import Foundation
import LensModels
import LensTensor

/// t-SNE's knobs, scikit-learn's defaults.
public struct TSNESettings: Codable, Sendable, Equatable {
    public var perplexity = Knobs.perplexity.defaultValue
    public var iterations = Knobs.iterations.defaultValue
    /// Below this many points every pair is used; at or above it, Barnes-Hut with θ = `theta`.
    public var exactBelow = Knobs.exactBelow.defaultValue
    public var theta: Float = 0.5
    public var earlyExaggeration: Float = 12
    public var exaggerationIterations = 250
    public var seed: UInt64 = 0

    public init() {}

    public enum Knobs {
        public static let perplexity = Knob<Double>(
            "perplexity", name: "perplexity", default: 30, range: 2...100,
            help: "embedding: t-SNE's effective number of neighbours per point.")
        public static let iterations = Knob<Int>(
            "tsne_iterations", name: "t-SNE iterations", default: 1000, range: 250...10000, unit: "iterations",
            help: "embedding: t-SNE's gradient steps, the first 250 with early exaggeration.")
        public static let exactBelow = Knob<Int>(
            "tsne_exact_below", name: "exact t-SNE below", default: 2000, range: 0...10000, unit: "points",
            help: "embedding: below this many points t-SNE uses every pair; above, Barnes-Hut (θ = 0.5).")
        static var table: [KnobRow<TSNESettings>] {
            [perplexity.row(\.perplexity), iterations.row(\.iterations), exactBelow.row(\.exactBelow)]
        }
        public static var all: [SettingInfo] { table.map(\.info) }
    }

    public func validate(points: Int) throws {
        try Knobs.table.validate(self)
        // perplexity is an effective neighbour count: it needs more points than itself
        guard Double(points - 1) > perplexity else {
            throw ExplainError.settingOutOfRange(setting: "perplexity", value: "\(perplexity)",
                                                 allowed: "below \(points - 1): it counts neighbours, and there are \(points) points")
        }
    }
}

/// t-SNE (van der Maaten & Hinton 2008; Barnes-Hut: van der Maaten 2014) as scikit-learn runs it:
/// PCA start scaled to standard deviation 1e-4, learning rate max(N / exaggeration / 4, 50),
/// momentum 0.5 for the exaggerated phase then 0.8, per-coordinate gains (+0.2 / ×0.8, at least 0.01).
///
///   q̃ᵢⱼ = (1 + ‖yᵢ − yⱼ‖²)⁻¹,  Z = Σ_{k≠l} q̃ₖₗ,  qᵢⱼ = q̃ᵢⱼ / Z,  KL = Σ pᵢⱼ log(pᵢⱼ / qᵢⱼ)
///   ∂KL/∂yᵢ = 4 Σⱼ (pᵢⱼ − qᵢⱼ) q̃ᵢⱼ (yᵢ − yⱼ) = 4 (Σⱼ pᵢⱼ q̃ᵢⱼ (yᵢ − yⱼ) − Σⱼ q̃ᵢⱼ² (yᵢ − yⱼ) / Z)
public enum TSNE {
    public struct Result: Sendable {
        /// [N, 2]
        public var coordinates: Tensor
        /// KL(P ‖ Q) at the end (Barnes-Hut: with Z from the tree).
        public var divergence: Double
        /// KL every 50 iterations (exaggeration off), for the record.
        public var divergenceTrace: [Double]
        public var exact: Bool
    }

    /// `data` [N, D] (scikit-learn's W10 feeds 50 PCA components).
    public static func embed(_ data: Tensor, settings: TSNESettings = TSNESettings(),
                             progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        guard data.rank == 2, data.shape[0] >= 3 else { throw ExplainError.invalidInput("t-SNE needs at least 3 points, got shape \(data.shape)") }
        let n = data.shape[0]
        try settings.validate(points: n)
        let exact = n < settings.exactBelow
        let p = exact ? TSNEAffinities.exact(data, perplexity: Float(settings.perplexity))
                      : TSNEAffinities.sparse(data, perplexity: Float(settings.perplexity))
        var y = try initial(data, seed: settings.seed)
        let learningRate = max(Float(n) / settings.earlyExaggeration / 4, 50)
        var update = [Float](repeating: 0, count: 2 * n), gains = [Float](repeating: 1, count: 2 * n)
        var trace: [Double] = []
        for iteration in 0..<settings.iterations {
            let exaggerated = iteration < settings.exaggerationIterations
            let gradient = exact ? exactGradient(y, p, exaggeration: exaggerated ? settings.earlyExaggeration : 1)
                                 : barnesHutGradient(y, p, exaggeration: exaggerated ? settings.earlyExaggeration : 1, theta: settings.theta)
            guard gradient.allSatisfy(\.isFinite) else {
                throw ExplainError.invalidInput("t-SNE stopped at iteration \(iteration + 1): the gradient is not finite (are there NaNs in the activations?)")
            }
            let momentum: Float = exaggerated ? 0.5 : 0.8
            for k in 0..<(2 * n) {
                gains[k] = update[k] * gradient[k] < 0 ? gains[k] + 0.2 : max(gains[k] * 0.8, 0.01)
                update[k] = momentum * update[k] - learningRate * gains[k] * gradient[k]
                y[k] += update[k]
            }
            if !exaggerated, (iteration + 1) % 50 == 0 { trace.append(divergence(y, p, exact: exact, theta: settings.theta)) }
            progress?(iteration + 1, settings.iterations)
        }
        return Result(coordinates: Tensor(shape: [n, 2], scalars: y), divergence: divergence(y, p, exact: exact, theta: settings.theta),
                      divergenceTrace: trace, exact: exact)
    }

    /// scikit-learn's `init="pca"`: the first two components, scaled so the first has standard deviation 1e-4.
    static func initial(_ data: Tensor, seed: UInt64) throws -> [Float] {
        let projected = try PCA(data, components: min(2, data.shape[1]), seed: seed).transform(data)
        let n = data.shape[0], columns = projected.shape[1]
        let first = (0..<n).map { projected.scalars[$0 * columns] }
        let mean = first.reduce(0, +) / Float(n)
        let deviation = max((first.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(n)).squareRoot(), 1e-12)
        return (0..<n).flatMap { i in (0..<2).map { c in c < columns ? projected.scalars[i * columns + c] / deviation * 1e-4 : 0 } }
    }

    /// Every pair, as the equation above (P dense in sparse form: every j ≠ i).
    static func exactGradient(_ y: [Float], _ p: TSNEAffinities, exaggeration: Float) -> [Float] {
        let n = y.count / 2
        var z: Double = 0
        var partial = [Double](repeating: 0, count: n)
        partial.withUnsafeMutableBufferPointer { sums in
            Parallel.forEachChunk(count: n, minimumChunk: 128) { range in
                for i in range {
                    var s: Double = 0
                    for j in 0..<n where j != i {
                        let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1])
                        s += Double(1 / (1 + dx * dx + dy * dy))
                    }
                    sums[i] = s
                }
            }
        }
        z = partial.reduce(0, +)
        let inverseZ = Float(1 / z)
        var gradient = [Float](repeating: 0, count: 2 * n)
        gradient.withUnsafeMutableBufferPointer { g in
            Parallel.forEachChunk(count: n, minimumChunk: 128) { range in
                var dense = [Float](repeating: 0, count: n)
                for i in range {
                    for k in p.rowStart[i]..<p.rowStart[i + 1] { dense[p.columns[k]] = p.values[k] * exaggeration }
                    var gx: Float = 0, gy: Float = 0
                    for j in 0..<n where j != i {
                        let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1])
                        let q = 1 / (1 + dx * dx + dy * dy)
                        let force = (dense[j] - q * inverseZ) * q
                        gx += force * dx
                        gy += force * dy
                    }
                    for k in p.rowStart[i]..<p.rowStart[i + 1] { dense[p.columns[k]] = 0 }
                    g[2 * i] = 4 * gx
                    g[2 * i + 1] = 4 * gy
                }
            }
        }
        return gradient
    }

    /// Attraction over P's neighbours, repulsion from the quadtree.
    static func barnesHutGradient(_ y: [Float], _ p: TSNEAffinities, exaggeration: Float, theta: Float) -> [Float] {
        let n = y.count / 2
        let tree = BarnesHutTree(x: (0..<n).map { y[2 * $0] }, y: (0..<n).map { y[2 * $0 + 1] })
        var repulsion = [Float](repeating: 0, count: 2 * n), zParts = [Double](repeating: 0, count: n)
        var gradient = [Float](repeating: 0, count: 2 * n)
        repulsion.withUnsafeMutableBufferPointer { r in
            zParts.withUnsafeMutableBufferPointer { zs in
                gradient.withUnsafeMutableBufferPointer { g in
                    Parallel.forEachChunk(count: n, minimumChunk: 256) { range in
                        // the repulsion of the points at these places of the tree order (each point once)
                        tree.repulsions(at: range, theta: theta) { i, z, fx, fy in
                            zs[i] = Double(z)
                            r[2 * i] = fx
                            r[2 * i + 1] = fy
                        }
                        // Σⱼ pᵢⱼ q̃ᵢⱼ (yᵢ − yⱼ) over P's sparse row i
                        y.withUnsafeBufferPointer { y in p.rowStart.withUnsafeBufferPointer { rowStart in
                        p.columns.withUnsafeBufferPointer { columns in p.values.withUnsafeBufferPointer { values in
                            for i in range {
                                var ax: Float = 0, ay: Float = 0
                                for k in rowStart[i]..<rowStart[i + 1] {
                                    let j = columns[k]
                                    let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1])
                                    let force = values[k] * exaggeration / (1 + dx * dx + dy * dy)
                                    ax += force * dx
                                    ay += force * dy
                                }
                                g[2 * i] = ax
                                g[2 * i + 1] = ay
                            }
                        } }
                        } }
                    }
                }
            }
        }
        let inverseZ = Float(1 / zParts.reduce(0, +))
        for k in 0..<(2 * n) { gradient[k] = 4 * (gradient[k] - repulsion[k] * inverseZ) }
        return gradient
    }

    /// KL(P ‖ Q) = Σ pᵢⱼ log(pᵢⱼ / qᵢⱼ) over P's entries (the others have pᵢⱼ = 0).
    static func divergence(_ y: [Float], _ p: TSNEAffinities, exact: Bool, theta: Float) -> Double {
        let n = y.count / 2
        var z: Double = 0
        if exact {
            for i in 0..<n {
                for j in 0..<n where j != i {
                    let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1])
                    z += Double(1 / (1 + dx * dx + dy * dy))
                }
            }
        } else {
            let tree = BarnesHutTree(x: (0..<n).map { y[2 * $0] }, y: (0..<n).map { y[2 * $0 + 1] })
            tree.repulsions(at: 0..<n, theta: theta) { _, zi, _, _ in z += Double(zi) }
        }
        var kl: Double = 0
        for i in 0..<n {
            for k in p.rowStart[i]..<p.rowStart[i + 1] {
                let j = p.columns[k]
                let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1])
                let q = Double(1 / (1 + dx * dx + dy * dy)) / z
                let pij = Double(p.values[k])
                kl += pij * log(max(pij, 1e-12) / max(q, 1e-12))
            }
        }
        return kl
    }
}
