import Foundation
import LensTensor

/// Resampling of [N, C, h, w] maps and images.
enum ImageResampling {
    /// Bilinear resize with half-pixel centres, PyTorch's `interpolate(..., mode="bilinear",
    /// align_corners=False)`: output pixel d reads source position (d + ½)·(in/out) − ½, clamped
    /// at 0 and at the last pixel.
    static func bilinear(_ maps: Tensor, height: Int, width: Int) -> Tensor {
        let (planes, inHeight, inWidth) = (maps.shape[0] * maps.shape[1], maps.shape[2], maps.shape[3])
        let rows = sourceTaps(count: height, from: inHeight), columns = sourceTaps(count: width, from: inWidth)
        var result = Tensor(shape: [maps.shape[0], maps.shape[1], height, width])
        for plane in 0..<planes {
            let source = plane * inHeight * inWidth, target = plane * height * width
            for (y, row) in rows.enumerated() {
                for (x, column) in columns.enumerated() {
                    func at(_ r: Int, _ c: Int) -> Float { maps.scalars[source + r * inWidth + c] }
                    let top = at(row.low, column.low) * (1 - column.fraction) + at(row.low, column.high) * column.fraction
                    let bottom = at(row.high, column.low) * (1 - column.fraction) + at(row.high, column.high) * column.fraction
                    result.scalars[target + y * width + x] = top * (1 - row.fraction) + bottom * row.fraction
                }
            }
        }
        return result
    }

    /// For each output index: the two source indices it blends and the weight of the second.
    private static func sourceTaps(count: Int, from source: Int) -> [(low: Int, high: Int, fraction: Float)] {
        let scale = Float(source) / Float(count)
        return (0..<count).map { index in
            let position = max((Float(index) + 0.5) * scale - 0.5, 0)
            let low = min(Int(position), source - 1)
            return (low, low < source - 1 ? low + 1 : low, position - Float(low))
        }
    }
}
