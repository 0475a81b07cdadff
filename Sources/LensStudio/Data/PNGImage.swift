import Foundation
import LensData
import LensRender
import LensTensor

/// Tensors as PNG data URIs through LensRender's one renderer, so that API results embed their
/// pictures and need no second request.
enum PNGImage {
    static func dataURI(_ tensor: Tensor, scale: ImageRendering.Scale) throws -> String {
        ReportImage.dataURI(png: try ImageRendering.png(tensor, scale: scale))
    }

    /// A map [C, H, W] drawn as the report draws it (channels reduced, coloured on `scale`), one
    /// pixel per value (pages enlarge it), or why it cannot be drawn honestly (NaN, flat).
    static func map(_ map: Tensor, reduction: ChannelReduction, scale: MapScale, over image: Tensor? = nil) throws -> DrawnMap {
        switch try MapPicture.drawing(map, reduction: reduction, scale: scale, over: image, magnification: 1) {
        case .picture(let pixels): DrawnMap(image: ReportImage.dataURI(png: try PNGEncoder.encode(pixels)), problem: nil)
        case .placeholder(let problem, _, _): DrawnMap(image: nil, problem: problem)
        }
    }

    /// A signed map with its channels summed, as templates and projections are drawn; a failure
    /// becomes the picture's stated problem.
    static func signedMap(_ map: Tensor, scale: MapScale) -> DrawnMap {
        do { return try Self.map(map, reduction: .sum, scale: scale) } catch {
            return DrawnMap(image: nil, problem: "\(error)")
        }
    }
}

/// A picture in an API answer: a PNG data URI, or the reason there is none.
public struct DrawnMap: Codable, Sendable, Equatable {
    public var image: String?
    public var problem: String?

    enum CodingKeys: String, CodingKey { case image, problem }

    /// The picture is left out where `PictureField.omitted` says so; the problem always stays.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(PictureField.omits(encoder) ? nil : image, forKey: .image)
        try container.encodeIfPresent(problem, forKey: .problem)
    }
}
