import Foundation

/// SSIM (Wang et al. 2004) between two maps of one size, each first scaled to [0, 1] by its own
/// maximum: an 11x11 Gaussian window of σ 1.5 over the positions where it fits whole (MATLAB's
/// `ssim_index`, 'valid'), C1 = (0.01·L)², C2 = (0.03·L)² with L = 1, the mean over positions.
/// Maps smaller than 11 pixels on a side use the largest odd window that fits, σ scaled alike.
public enum StructuralSimilarity {
    public static let description = "SSIM, Gaussian 11x11 window σ 1.5, C1 = 0.01², C2 = 0.03², maps scaled to [0, 1] by their own max"
    static let c1 = 0.01 * 0.01
    static let c2 = 0.03 * 0.03

    /// SSIM of `a` and `b`, non-negative per-pixel magnitudes of a `height` x `width` map.
    public static func ssim(_ a: [Float], _ b: [Float], height: Int, width: Int) -> Double {
        let x = scaled(a), y = scaled(b)
        let window = min(11, oddAtMost(min(height, width)))
        let kernel = gaussian(size: window, sigma: 1.5 * Double(window) / 11)
        let meanX = filter(x, height, width, kernel), meanY = filter(y, height, width, kernel)
        let xx = filter(zip(x, x).map(*), height, width, kernel)
        let yy = filter(zip(y, y).map(*), height, width, kernel)
        let xy = filter(zip(x, y).map(*), height, width, kernel)
        var total = 0.0
        for i in meanX.indices {
            let mx = meanX[i], my = meanY[i]
            let vx = xx[i] - mx * mx, vy = yy[i] - my * my, cxy = xy[i] - mx * my
            total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        }
        return total / Double(max(meanX.count, 1))
    }

    private static func scaled(_ values: [Float]) -> [Double] {
        let top = Double(values.max() ?? 0)
        return values.map { top > 0 ? Double($0) / top : 0 }
    }

    private static func oddAtMost(_ n: Int) -> Int { max(1, n % 2 == 1 ? n : n - 1) }

    private static func gaussian(size: Int, sigma: Double) -> [Double] {
        let centre = Double(size - 1) / 2
        let weights = (0..<size).map { exp(-pow(Double($0) - centre, 2) / (2 * sigma * sigma)) }
        let sum = weights.reduce(0, +)
        return weights.map { $0 / sum }
    }

    /// The separable filter over the positions where the window fits: (H−k+1) x (W−k+1).
    private static func filter(_ values: [Double], _ height: Int, _ width: Int, _ kernel: [Double]) -> [Double] {
        let k = kernel.count, outW = width - k + 1, outH = height - k + 1
        var rows = [Double](repeating: 0, count: height * outW)
        for r in 0..<height {
            for c in 0..<outW {
                var sum = 0.0
                for t in 0..<k { sum += kernel[t] * values[r * width + c + t] }
                rows[r * outW + c] = sum
            }
        }
        var out = [Double](repeating: 0, count: outH * outW)
        for r in 0..<outH {
            for c in 0..<outW {
                var sum = 0.0
                for t in 0..<k { sum += kernel[t] * rows[(r + t) * outW + c] }
                out[r * outW + c] = sum
            }
        }
        return out
    }
}
