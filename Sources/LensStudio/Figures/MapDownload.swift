import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

/// One attribution map of one image as a file to keep: the picture laid over the image (PNG, on
/// the method family's scale, as the report draws it) or the raw signed map (NPY, [C, H, W]
/// float32, nothing rectified or reduced). The web app's download buttons fetch these.
public struct MapDownload: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case png, npy

        public var contentType: String { self == .png ? "image/png" : "application/octet-stream" }
    }

    public var data: Data
    public var fileName: String
    public var format: Format

    /// The format named `name` ("png" or "npy"), in the user's words otherwise.
    public static func format(_ name: String?) throws -> Format {
        guard let name, let format = Format(rawValue: name) else {
            throw StudioError(.invalidInput, "format \"\(name ?? "")\" is not one of \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    /// The side a downloaded overlay is enlarged to, at least (small images become legible).
    static let pictureSide = 256
}

extension ModelFile {
    /// `method`'s map of `image` [C, H, W] for class `targetClass` (nil: the predicted class) as a file.
    public func mapDownload(_ image: Tensor, method: AttributionMethod, targetClass: String?, settings: AttributionSettings,
                            format: MapDownload.Format) throws -> MapDownload {
        guard case .network(var network) = model else {
            throw StudioError(.notApplicable, "attribution maps need a network (softmax, MLP or CNN); a \(provenance.kind.rawValue) model has no gradients")
        }
        let names = provenance.classNames
        var target = try prediction(image).predictedIndex
        if let name = targetClass {
            guard let index = names.firstIndex(of: name) else { throw StudioError(.notFound, "no class named \"\(name)\"") }
            target = index
        }
        let result: AttributionResult
        do {
            result = try method.attribute(&network, inputs: image.reshaped([1] + image.shape), targets: [target], settings: settings)
        } catch let error as ExplainError {
            throw StudioError(.invalidInput, "\(method.title): \(error)")
        }
        // A class name is a folder name: keep a file name to letters, digits, '-' and '_'.
        let fileName = "\(method.rawValue)-" + String(names[target].map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
        switch format {
        case .npy:
            return MapDownload(data: try NumpyArray.encode(result.maps.reshaped(image.shape)), fileName: fileName + ".npy", format: .npy)
        case .png:
            let panel = try MapPanel(result: result, item: 0, reduction: method.pictureReduction, scaleGroup: method.scaleGroup)
            let scale = AttributionRow(panels: [panel]).scales().first?.scale ?? MapScale(kind: .magnitude, bound: 1)
            let side = max(image.shape.last ?? 1, 1)
            switch try MapPicture.drawing(panel.map, reduction: panel.reduction, scale: scale, over: image,
                                          magnification: max(1, (MapDownload.pictureSide + side - 1) / side)) {
            case .picture(let pixels):
                return MapDownload(data: try PNGEncoder.encode(pixels), fileName: fileName + ".png", format: .png)
            case .placeholder(let problem, _, _):
                throw StudioError(.notApplicable, "\(method.title)'s map of this image cannot be drawn: \(problem)")
            }
        }
    }
}

extension ModelLibrary {
    /// `mapDownload` for the uploaded image `bytes` on model `id`.
    public func mapDownload(_ id: String?, image bytes: Data, method: AttributionMethod, targetClass: String?,
                            settings: AttributionSettings, format: MapDownload.Format) throws -> MapDownload {
        let entry = try entry(id)
        let image = try ImageInput.tensor(bytes, preprocessing: entry.model.provenance.preprocessing)
        return try entry.model.mapDownload(image, method: method, targetClass: targetClass, settings: settings, format: format)
    }
}
