import Foundation
import LensData
import LensTensor

/// Turns the bytes of an uploaded image into a model's input.
public enum ImageInput {
    /// Largest image accepted, in pixels: a decoded upload must not take more memory than the
    /// upload cap suggests (10 MiB of PNG can expand to gigabytes).
    public static let maxPixels = 25_000_000

    /// The image in `bytes` (PNG, JPEG or PGM) preprocessed to [C, H, W]; the error says why it
    /// cannot be read.
    public static func tensor(_ bytes: Data, preprocessing: Preprocessing) throws -> Tensor {
        guard !bytes.isEmpty else { throw StudioError(.invalidInput, "the image is empty: send the file's bytes as the request body") }
        do {
            return preprocessing.apply(try ImageDecoder.decode(bytes, path: "the image", maxPixels: maxPixels))
        } catch {
            throw StudioError(.invalidInput, "\(error)")
        }
    }

    /// A [C, H, W] tensor with values in [0, 1] as a PNG data URI.
    public static func dataURI(_ tensor: Tensor) throws -> String {
        try PNGImage.dataURI(tensor, scale: .unit)
    }
}
