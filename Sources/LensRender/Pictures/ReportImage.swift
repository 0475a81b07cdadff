import Foundation
import LensTensor

/// An image embedded in a page as a data URI, so each report page is one self-contained file.
public enum ReportImage {
    public static func dataURI(png: Data) -> String {
        "data:image/png;base64," + png.base64EncodedString()
    }

    /// `<img>` for a [C, H, W] tensor.
    public static func tag(_ tensor: Tensor, scale: ImageRendering.Scale = .unit, alt: String, title: String? = nil) throws -> String {
        let uri = dataURI(png: try ImageRendering.png(tensor, scale: scale))
        let titleAttribute = title.map { " title=\"\(HTML.escape($0))\"" } ?? ""
        return "<img src=\"\(uri)\" alt=\"\(HTML.escape(alt))\"\(titleAttribute)>"
    }
}
