import Foundation
import Hummingbird
import LensStudio

/// What a model learned: its templates and its units (the Templates and Units pages). Both are
/// computed once per model (and layer) in the background: until then the answer is 202 with
/// {"status": "computing"}, and the page asks again.
struct InspectionRoutes: Sendable {
    let library: ModelLibrary

    func add<Context: RequestContext>(to api: RouterGroup<Context>) {
        api.get("templates") { request, _ in
            let id = APIRoutes.modelID(request)
            return try Self.answer(try library.templates(id), pending: Computing(model: try library.entry(id).id))
        }
        api.get("units") { request, _ in
            try JSONResponse.encode(try library.unitLayers(APIRoutes.modelID(request)))
        }
        api.get("units/:layer") { request, context in
            let id = APIRoutes.modelID(request), layer = try context.parameters.require("layer")
            return try Self.answer(try library.unitGallery(id, layer: layer),
                                   pending: Computing(model: try library.entry(id).id, layer: layer))
        }
        api.get("units/:layer/:unit") { request, context in
            let id = APIRoutes.modelID(request), layer = try context.parameters.require("layer")
            let text = try context.parameters.require("unit")
            guard let unit = Int(text) else { throw StudioError(.invalidInput, "unit \"\(text)\" is not a unit number (0, 1, 2, …)") }
            return try Self.answer(try library.unitDetail(id, layer: layer, unit: unit),
                                   pending: Computing(model: try library.entry(id).id, layer: layer))
        }
    }

    /// The figure, or 202 while it is being computed.
    private static func answer(_ figure: (some Encodable)?, pending: Computing) throws -> Response {
        guard let figure else { return try JSONResponse.encode(pending, status: .accepted) }
        return try JSONResponse.encode(figure)
    }

    struct Computing: Codable {
        var status = "computing"
        var model: String
        var layer: String?
    }
}
