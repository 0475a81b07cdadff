import Foundation
import LensData
import LensTensor

/// Turns raw tensors into pictures. Scaling is explicit, so that two pictures can share one scale.
public enum ImageRendering {
    public enum Scale: Sendable {
        /// Values already in [0, 1] (input images).
        case unit
        /// Stretch this image's own min..max to black..white (templates, weights).
        case minMax
        /// A shared range for several images.
        case range(Float, Float)
    }

    /// A [C, H, W] (C = 1 or 3) or [H, W] tensor as an 8-bit PNG.
    public static func png(_ tensor: Tensor, scale: Scale = .unit) throws -> Data {
        let (channels, height, width): (Int, Int, Int) = tensor.rank == 2
            ? (1, tensor.shape[0], tensor.shape[1])
            : (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let (low, high): (Float, Float)
        switch scale {
        case .unit: (low, high) = (0, 1)
        case .range(let a, let b): (low, high) = (a, b)
        case .minMax: (low, high) = (tensor.scalars.min() ?? 0, tensor.scalars.max() ?? 1)
        }
        let span = high > low ? high - low : 1
        var pixels = [Float](repeating: 0, count: channels * height * width)
        let plane = height * width
        for c in 0..<channels {
            for i in 0..<plane {
                pixels[i * channels + c] = min(max((tensor.scalars[c * plane + i] - low) / span, 0), 1)
            }
        }
        return try PNGEncoder.encode(Image(width: width, height: height, channels: channels, pixels: pixels))
    }
}
