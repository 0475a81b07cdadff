import Foundation
import LensData
import LensTensor

/// One picture of a page as an HTML fragment: an `<img>` with its PNG inline (each page stays one
/// file), or a marked placeholder where a map cannot be drawn.
public struct Picture: Sendable {
    public var html: String

    public init(html: String) {
        self.html = html
    }

    /// An image [C, H, W] (C = 1 or 3) drawn `magnification` times its size (default: by its side).
    public static func image(_ tensor: Tensor, scale: ImageRendering.Scale = .unit, alt: String,
                             magnification: Int? = nil) throws -> Picture {
        guard tensor.rank == 3, [1, 3].contains(tensor.shape[0]) else {
            throw MapRenderError("an image to draw must be [1 or 3 channels, height, width], not \(tensor.shape)")
        }
        let factor = magnification ?? MapPicture.magnification(forSide: max(tensor.shape[1], tensor.shape[2]))
        let png = try ImageRendering.png(tensor, scale: scale)
        return tag(png: png, width: tensor.shape[2] * factor, height: tensor.shape[1] * factor, alt: alt)
    }

    /// A map [C, H, W] or [H, W], reduced over channels and coloured on `scale`, alone or over
    /// `image`; a placeholder saying what is wrong if the map is NaN, infinite or flat.
    public static func map(_ map: Tensor, reduction: ChannelReduction, scale: MapScale, over image: Tensor? = nil,
                           alt: String, magnification: Int? = nil) throws -> Picture {
        switch try MapPicture.drawing(map, reduction: reduction, scale: scale, over: image, magnification: magnification) {
        case let .placeholder(problem, width, height):
            return placeholder(problem, width: width, height: height)
        case .picture(let pixels):
            return tag(png: try PNGEncoder.encode(pixels), width: pixels.width, height: pixels.height, alt: alt)
        }
    }

    /// A hatched box of the picture's size saying why there is no picture.
    public static func placeholder(_ problem: String, width: Int, height: Int) -> Picture {
        Picture(html: "<div class=nomap role=img aria-label=\"\(HTML.escape(problem))\" "
                + "style=\"width:\(width)px;height:\(height)px\"><span>\(HTML.escape(problem))</span></div>")
    }

    static func tag(png: Data, width: Int, height: Int, alt: String) -> Picture {
        Picture(html: "<img class=px src=\"\(ReportImage.dataURI(png: png))\" width=\(width) height=\(height) alt=\"\(HTML.escape(alt))\">")
    }
}
