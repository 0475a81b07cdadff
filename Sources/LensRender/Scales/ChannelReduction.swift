import LensTensor

/// How a [C, H, W] map becomes one [H, W] picture. Methods keep their raw per-channel maps (and
/// `.npy` exports stay raw); the reduction is a drawing choice, named on the picture.
public enum ChannelReduction: String, Sendable, CaseIterable {
    /// max over channels of |v|: the saliency convention (Simonyan et al.); a magnitude, sign dropped.
    case maxAbsolute = "max-abs"
    /// Σ over channels, sign kept: integrated gradients' convention, so attributions still add up.
    case sum
    /// The mean over channels, sign kept: for maps repeated over the channels (Grad-CAM, occlusion),
    /// whose value it leaves as it is.
    case mean

    /// What the legend says.
    public var title: String {
        switch self {
        case .maxAbsolute: "max |·| over channels"
        case .sum: "sum over channels (signed)"
        case .mean: "mean over channels (signed)"
        }
    }

    /// The scale the reduced values need.
    public var scaleKind: MapScale.Kind {
        switch self {
        case .maxAbsolute: .magnitude
        case .sum, .mean: .signed
        }
    }

    /// [C, H, W] or [H, W] to [H, W].
    public func reduce(_ map: Tensor) throws -> Tensor {
        guard map.rank == 2 || map.rank == 3 else {
            throw MapRenderError("a map to draw must be [channels, height, width] or [height, width], not \(map.shape)")
        }
        if map.rank == 2 { return self == .maxAbsolute ? Tensor(shape: map.shape, scalars: map.scalars.map(abs)) : map }
        let (channels, height, width) = (map.shape[0], map.shape[1], map.shape[2])
        let plane = height * width
        var out = [Float](repeating: 0, count: plane)
        for c in 0..<channels {
            for i in 0..<plane {
                let value = map.scalars[c * plane + i]
                switch self {
                // NaN must survive the reduction so that the picture's health check sees it.
                case .maxAbsolute: out[i] = value.isNaN || out[i].isNaN ? .nan : max(out[i], abs(value))
                case .sum, .mean: out[i] += value
                }
            }
        }
        if self == .mean, channels > 1 { for i in 0..<plane { out[i] /= Float(channels) } }
        return Tensor(shape: [height, width], scalars: out)
    }
}

/// A map that cannot be drawn as asked (wrong shape, or an unhealthy map where a picture file was
/// requested); the message says which.
public struct MapRenderError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
