import Foundation
import LensRender
import LensTensor

/// Tensors as PNG data URIs through LensRender's one renderer, so that API results embed their
/// pictures and need no second request.
enum PNGImage {
    static func dataURI(_ tensor: Tensor, scale: ImageRendering.Scale) throws -> String {
        ReportImage.dataURI(png: try ImageRendering.png(tensor, scale: scale))
    }

    /// A signed map [C, H, W] drawn as the report draws it (channels summed, coloured on `scale`),
    /// one pixel per value (pages enlarge it), or why it cannot be drawn honestly (NaN, flat).
    static func signedMap(_ map: Tensor, scale: MapScale) -> DrawnMap {
        do {
            let reduced = try ChannelReduction.sum.reduce(map)
            if let problem = MapHealth(map).problem ?? MapHealth(reduced).problem { return DrawnMap(image: nil, problem: problem) }
            return DrawnMap(image: ReportImage.dataURI(png: try MapPicture.png(reduced, reduction: .sum, scale: scale, magnification: 1)),
                            problem: nil)
        } catch {
            return DrawnMap(image: nil, problem: "\(error)")
        }
    }
}

/// A picture in an API answer: a PNG data URI, or the reason there is none.
public struct DrawnMap: Codable, Sendable, Equatable {
    public var image: String?
    public var problem: String?
}
