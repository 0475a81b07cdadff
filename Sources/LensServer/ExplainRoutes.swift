import Foundation
import Hummingbird
import LensExplain
import LensStudio

/// The Explain page's routes: the maps of an uploaded image (with its nearest training images and
/// each map's badge), the nearest images alone, and the trust record the badges show, which is
/// computed in the background and answered 202 until it is ready. `/api/explain` takes the
/// attribution settings of `AttributionSettings.requestKeys` as query parameters, each parsed and
/// checked by its declaration.
struct ExplainRoutes: Sendable {
    let library: ModelLibrary
    let maxUpload: Int

    func add<Context: RequestContext>(to api: RouterGroup<Context>) {
        api.post("explain") { request, _ in
            var explanation = ExplanationRequest(targetClass: request.uri.queryParameters.get("class"))
            if let name = request.uri.queryParameters.get("method"), name != "all" {
                do { explanation.methods = [try AttributionMethod.named(name)] } catch {
                    throw StudioError(.invalidInput, "\(error)")
                }
            }
            explanation.includeRaw = request.uri.queryParameters.get("raw") == "1"
            for key in AttributionSettings.requestKeys {
                if let text = request.uri.queryParameters.get(key) { try explanation.settings.set(key, from: text) }
            }
            let bytes = try await request.bodyData(upTo: maxUpload)
            return try JSONResponse.encode(try library.explanation(APIRoutes.modelID(request), image: bytes, request: explanation))
        }
        api.post("nearest") { request, _ in
            let id = APIRoutes.modelID(request)
            let nearest = try library.nearestImages(id, image: try await request.bodyData(upTo: maxUpload))
            return try Pending(model: try library.entry(id).id).or(nearest)
        }
        api.get("trust") { request, _ in
            let id = APIRoutes.modelID(request)
            switch try library.trust(id) {
            case .ready(let trust): return try JSONResponse.encode(trust)
            case .computing: return try Pending(model: try library.entry(id).id).response
            case .failed(let error): throw error
            }
        }
    }
}
