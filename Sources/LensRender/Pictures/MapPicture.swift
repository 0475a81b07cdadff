import Foundation
import LensData
import LensTensor

/// Map pictures as pixels: a [H, W] map coloured on an explicit scale, alone or blended over the
/// input image, magnified by whole pixels (nearest neighbour) so 28x28 and 64x64 inputs are drawn
/// large and crisp. Every function refuses an unhealthy map (`MapHealth`): nothing draws a NaN or
/// flat map as if it were fine.
public enum MapPicture {
    /// Opacity of the map's colour where it reaches the scale's bound; the image stays visible beneath.
    public static let maximumOpacity: Float = 0.85

    /// Whole-pixel magnification that draws a side of `side` pixels at 112 px or more, at most 8x
    /// (small patches): 28 → 4x, 64 → 2x, 128 → 1x, 7 → 8x.
    public static func magnification(forSide side: Int) -> Int {
        guard side > 0 else { return 1 }
        return max(1, min(8, (112 + side - 1) / side))
    }

    /// A PNG of one raw map [C, H, W] or [H, W], reduced, over `image` (or alone when nil), on
    /// `scale` or else its own robust scale, magnified by its side: what `lens explain` writes
    /// per image. Throws for a NaN, infinite or flat map rather than write a misleading picture.
    public static func png(_ map: Tensor, reduction: ChannelReduction, over image: Tensor? = nil, scale: MapScale? = nil,
                           magnification: Int? = nil) throws -> Data {
        if let problem = MapHealth(map).problem { throw MapRenderError("cannot draw this map: \(problem)") }
        let scale = try scale ?? MapScale.fitting([reduction.reduce(map)], kind: reduction.scaleKind)
        switch try drawing(map, reduction: reduction, scale: scale, over: image, magnification: magnification) {
        case .picture(let picture): return try PNGEncoder.encode(picture)
        case .placeholder(let problem, _, _): throw MapRenderError("cannot draw this map: \(problem)")
        }
    }

    /// What a page shows for one map: its picture, or why there is none.
    public enum Drawing: Sendable {
        case picture(Image)
        /// `MapHealth`'s reason (NaN, infinite or constant values) and the size the picture would
        /// have had; pages draw a marked placeholder.
        case placeholder(String, width: Int, height: Int)
    }

    /// The map [C, H, W] or [H, W] reduced over its channels and coloured on `scale`, alone or over
    /// `image`, or the reason it cannot be drawn honestly (checked before and after the reduction):
    /// the one place a map becomes pixels, for the report, `lens explain` and the web app.
    public static func drawing(_ map: Tensor, reduction: ChannelReduction, scale: MapScale, over image: Tensor? = nil,
                               magnification: Int? = nil) throws -> Drawing {
        let reduced = try reduction.reduce(map)
        let factor = magnification ?? Self.magnification(forSide: max(reduced.shape[0], reduced.shape[1]))
        if let problem = MapHealth(map).problem ?? MapHealth(reduced).problem {
            return .placeholder(problem, width: reduced.shape[1] * factor, height: reduced.shape[0] * factor)
        }
        return .picture(try image.map { try overlay(reduced, on: $0, scale: scale, magnification: factor) }
                        ?? heatmap(reduced, scale: scale, magnification: factor))
    }

    /// The map [H, W] coloured on `scale`'s colormap.
    public static func heatmap(_ map: Tensor, scale: MapScale, magnification: Int = 1) throws -> Image {
        try checkDrawable(map)
        let colormap = scale.colormap
        var pixels = [Float](repeating: 0, count: map.count * 3)
        for (i, value) in map.scalars.enumerated() {
            let color = colormap.color(at: scale.position(of: value))
            (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = (color.red, color.green, color.blue)
        }
        return magnified(Image(width: map.shape[1], height: map.shape[0], channels: 3, pixels: pixels), by: magnification)
    }

    /// The map [H, W] over `image` [C, H, W] (C = 1 or 3, values in [0, 1]): each pixel blends the
    /// map's colour over the image with opacity `maximumOpacity` · |v| / bound, so zero shows the
    /// image unchanged and the strongest values show the colour.
    public static func overlay(_ map: Tensor, on image: Tensor, scale: MapScale, magnification: Int = 1) throws -> Image {
        try checkDrawable(map)
        guard image.rank == 3, [1, 3].contains(image.shape[0]), Array(image.shape.dropFirst()) == map.shape else {
            throw MapRenderError("an overlay needs an image [1 or 3, \(map.shape.map(String.init).joined(separator: ", "))] "
                                 + "for a map \(map.shape), not \(image.shape)")
        }
        let colormap = scale.colormap
        let plane = map.count, channels = image.shape[0]
        var pixels = [Float](repeating: 0, count: plane * 3)
        for i in 0..<plane {
            let value = map.scalars[i]
            let color = colormap.color(at: scale.position(of: value))
            let alpha = maximumOpacity * scale.strength(of: value)
            func base(_ c: Int) -> Float { min(max(image.scalars[(channels == 1 ? 0 : c) * plane + i], 0), 1) }
            let (red, green, blue) = (base(0), base(1), base(2))
            pixels[3 * i] = red + (color.red - red) * alpha
            pixels[3 * i + 1] = green + (color.green - green) * alpha
            pixels[3 * i + 2] = blue + (color.blue - blue) * alpha
        }
        return magnified(Image(width: map.shape[1], height: map.shape[0], channels: 3, pixels: pixels), by: magnification)
    }

    /// Each pixel repeated as a `factor` x `factor` block.
    public static func magnified(_ image: Image, by factor: Int) -> Image {
        guard factor > 1 else { return image }
        let width = image.width * factor, height = image.height * factor, channels = image.channels
        var pixels = [Float](repeating: 0, count: width * height * channels)
        // Build one magnified row, then copy it factor times: debug builds run tests, and element
        // by element this was most of a page's drawing time there.
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                let rowLength = width * channels
                for sourceY in 0..<image.height {
                    let row = target.baseAddress! + sourceY * factor * rowLength
                    for x in 0..<width {
                        let from = source.baseAddress! + (sourceY * image.width + x / factor) * channels
                        (row + x * channels).update(from: from, count: channels)
                    }
                    for copy in 1..<factor { (row + copy * rowLength).update(from: row, count: rowLength) }
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// An input image [C, H, W] in [0, 1], magnified, for drawing beside its maps.
    public static func input(_ image: Tensor, magnification: Int = 1) throws -> Image {
        guard image.rank == 3, [1, 3].contains(image.shape[0]) else {
            throw MapRenderError("an input image must be [1 or 3, height, width], not \(image.shape)")
        }
        let clamped = Tensor(shape: image.shape, scalars: image.scalars.map { $0.isFinite ? min(max($0, 0), 1) : 0 })
        return magnified(Image(planar: clamped), by: magnification)
    }

    private static func checkDrawable(_ map: Tensor) throws {
        guard map.rank == 2 else {
            throw MapRenderError("a map picture needs one [height, width] map (reduce its channels first), not \(map.shape)")
        }
        let health = MapHealth(map)
        if let problem = health.problem { throw MapRenderError("cannot draw this map: \(problem)") }
    }
}
