/// A colour with components in [0, 1].
public struct RGB: Sendable, Equatable {
    public var red: Float, green: Float, blue: Float

    public init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// 0xRRGGBB.
    public init(hex: UInt32) {
        self.init(red: Float((hex >> 16) & 0xFF) / 255, green: Float((hex >> 8) & 0xFF) / 255, blue: Float(hex & 0xFF) / 255)
    }

    /// `#rrggbb` for CSS and SVG.
    public var css: String {
        func byte(_ v: Float) -> String {
            let value = Int((min(max(v, 0), 1) * 255).rounded())
            return (value < 16 ? "0" : "") + String(value, radix: 16)
        }
        return "#" + byte(red) + byte(green) + byte(blue)
    }
}

/// Evenly spaced anchor colours with linear interpolation between them: position 0 is the first
/// anchor, 1 the last. Anchors are matplotlib's maps sampled at 33 points, so a picture here reads
/// like the same map drawn in Python.
public struct Colormap: Sendable, Equatable {
    public var name: String
    public var anchors: [RGB]

    public init(name: String, anchors: [RGB]) {
        self.name = name
        self.anchors = anchors
    }

    /// The colour at `position` (clamped to [0, 1]; NaN gives the first anchor).
    public func color(at position: Float) -> RGB {
        guard anchors.count > 1 else { return anchors.first ?? RGB(red: 0, green: 0, blue: 0) }
        let t = position.isNaN ? 0 : min(max(position, 0), 1) * Float(anchors.count - 1)
        let index = min(Int(t), anchors.count - 2)
        let f = t - Float(index)
        let a = anchors[index], b = anchors[index + 1]
        return RGB(red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f, blue: a.blue + (b.blue - a.blue) * f)
    }

    /// For signed maps: blue below zero, white at zero, red above (matplotlib's RdBu_r).
    public static let diverging = Colormap(name: "RdBu_r", anchors: [
        0x053061, 0x0e4179, 0x175290, 0x1f63a8, 0x2a71b2, 0x3480b9, 0x3f8ec0, 0x529dc8, 0x6bacd1, 0x84bcd9, 0x9bc9e0,
        0xaed3e6, 0xc2ddec, 0xd4e6f1, 0xe0ecf3, 0xecf2f5, 0xf7f6f6, 0xf9eee7, 0xfbe5d8, 0xfddcc9, 0xfbccb4, 0xf8bb9e,
        0xf5aa89, 0xee9677, 0xe48066, 0xdb6b55, 0xd05548, 0xc53e3d, 0xba2832, 0xab162a, 0x930e26, 0x7c0722, 0x67001f,
    ].map(RGB.init(hex:)))

    /// For magnitudes: black at zero through purple and orange to pale yellow (matplotlib's inferno).
    public static let sequential = Colormap(name: "inferno", anchors: [
        0x000004, 0x040312, 0x0b0724, 0x150b37, 0x210c4a, 0x2f0a5b, 0x3d0965, 0x4a0c6b, 0x57106e, 0x64156e, 0x71196e,
        0x7d1e6d, 0x8a226a, 0x972766, 0xa32c61, 0xb0315b, 0xbc3754, 0xc73e4c, 0xd24644, 0xdb503b, 0xe45a31, 0xeb6628,
        0xf1731d, 0xf68013, 0xf98e09, 0xfb9d07, 0xfcac11, 0xfbbc21, 0xf9cb35, 0xf5db4c, 0xf2ea69, 0xf3f68a, 0xfcffa4,
    ].map(RGB.init(hex:)))
}
