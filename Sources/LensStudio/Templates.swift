import Foundation
import LensModels
import LensRender
import LensTensor

/// The first learnable layer's weights drawn as pictures: a dense layer's rows as images of the
/// input (softmax and MLP templates), a convolution's filters. Minimal on purpose: LensExplain's
/// template analysis replaces it when it lands.
public struct TemplateSet: Codable, Sendable {
    /// The parameter drawn ("fc1.weight").
    public var parameter: String
    /// Units (rows or filters) in the layer; `images` holds the first `shown` of them.
    public var units: Int
    /// Per unit: a PNG data URI, gray = 0, on a symmetric scale of its own.
    public var images: [String]
    /// What each image is called: the class for softmax templates, "unit k" otherwise.
    public var labels: [String]
}

extension Network {
    /// The first learnable layer's templates, at most `limit`; nil for a layer with nothing to draw.
    public func templates(classNames: [String], limit: Int = 100) throws -> TemplateSet? {
        guard let weights = parameters.first(where: { $0.name.hasSuffix(".weight") }) else { return nil }
        let inputShape = architecture.inputShape
        let shape: [Int]
        switch weights.tensor.rank {
        case 2 where weights.tensor.shape[1] == inputShape.reduce(1, *) && inputShape.count == 3:
            shape = inputShape
        case 4:
            shape = Array(weights.tensor.shape.dropFirst())
        default:
            return nil
        }
        let units = weights.tensor.shape[0]
        let flat = weights.tensor.reshaped([units, shape.reduce(1, *)])
        let pictures = TemplatesPage.templateImages(flat.slice(0..<min(units, limit)), imageShape: shape)
        // Only a layer that is also the output has one unit per class.
        let perClass = units == classNames.count && architecture.layers.count(where: { if case .linear = $0.operation { true } else { false } }) == 1
        return TemplateSet(parameter: weights.name, units: units,
                           images: try pictures.map { try PNGImage.dataURI(Self.drawable($0), scale: .unit) },
                           labels: pictures.indices.map { perClass ? classNames[$0] : "unit \($0)" })
    }

    /// RGB filters stay RGB; any other channel count is shown as its first channel.
    private static func drawable(_ picture: Tensor) -> Tensor {
        let channels = picture.shape[0]
        guard channels != 1 && channels != 3 else { return picture }
        let plane = picture.shape[1] * picture.shape[2]
        return Tensor(shape: [1, picture.shape[1], picture.shape[2]], scalars: Array(picture.scalars[0..<plane]))
    }
}

extension ModelFile {
    /// Templates of a network model; an error for k-NN.
    public func templates(limit: Int = 100) throws -> TemplateSet {
        guard case .network(let network) = model else {
            throw StudioError(.notApplicable, "a k-NN model has no learned weights to draw; its templates are the training images themselves")
        }
        guard let set = try network.templates(classNames: provenance.classNames, limit: limit) else {
            throw StudioError(.notApplicable, "this model's first layer has no weights that can be drawn as images")
        }
        return set
    }
}
