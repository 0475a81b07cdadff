import Foundation
import Hummingbird
import LensStudio

/// What a model learned: its templates and its units (the Templates and Units pages). Both are
/// computed once per model (and layer) in the background: until then the answer is 202 with
/// {"status": "computing"}, and the page asks again. And one image through the layers (the
/// Layers page): one forward pass, answered at once. What a unit wants to see (feature visualisation)
/// and the test images at every layer (the Embedding page) are computed in the background too.
struct InspectionRoutes: Sendable {
    let library: ModelLibrary
    let maxUpload: Int

    func add<Context: RequestContext>(to api: RouterGroup<Context>) {
        api.get("templates") { request, _ in
            let id = APIRoutes.modelID(request)
            return try Pending(model: try library.entry(id).id).or(try library.templates(id))
        }
        api.get("units") { request, _ in
            try JSONResponse.encode(try library.unitLayers(APIRoutes.modelID(request)))
        }
        api.get("units/:layer") { request, context in
            let id = APIRoutes.modelID(request), layer = Self.decoded(try context.parameters.require("layer"))
            return try Pending(model: try library.entry(id).id, layer: layer).or(try library.unitGallery(id, layer: layer))
        }
        api.get("units/:layer/:unit") { request, context in
            let id = APIRoutes.modelID(request), layer = Self.decoded(try context.parameters.require("layer"))
            let text = try context.parameters.require("unit")
            guard let unit = Int(text) else { throw StudioError(.invalidInput, "unit \"\(text)\" is not a unit number (0, 1, 2, …)") }
            return try Pending(model: try library.entry(id).id, layer: layer).or(try library.unitDetail(id, layer: layer, unit: unit))
        }
        api.get("units/:layer/:unit/feature-vis") { request, context in
            let id = APIRoutes.modelID(request), layer = Self.decoded(try context.parameters.require("layer"))
            let text = try context.parameters.require("unit")
            guard let unit = Int(text) else { throw StudioError(.invalidInput, "unit \"\(text)\" is not a unit number (0, 1, 2, …)") }
            return try Pending(model: try library.entry(id).id, layer: layer).or(try library.unitFeatureVis(id, layer: layer, unit: unit))
        }
        api.get("embedding") { request, _ in
            let id = APIRoutes.modelID(request)
            return try Pending(model: try library.entry(id).id).or(try library.embedding(id))
        }
        api.post("layers") { request, _ in
            let bytes = try await request.bodyData(upTo: maxUpload)
            return try JSONResponse.encode(try library.layerMaps(APIRoutes.modelID(request), image: bytes))
        }
    }

    /// A layer named in the path, as the page sends it: ONNX names hold "/" (`/layer1/layer1.0/Add`),
    /// percent-encoded into one path segment, which the router leaves encoded.
    static func decoded(_ segment: some StringProtocol) -> String {
        String(segment).removingPercentEncoding ?? String(segment)
    }
}
