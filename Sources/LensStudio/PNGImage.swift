import Foundation
import LensRender
import LensTensor

/// Tensors as PNG data URIs through LensRender's one renderer, so that API results embed their
/// pictures and need no second request.
enum PNGImage {
    static func dataURI(_ tensor: Tensor, scale: ImageRendering.Scale) throws -> String {
        ReportImage.dataURI(png: try ImageRendering.png(tensor, scale: scale))
    }
}
