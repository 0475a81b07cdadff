import Foundation
import Hummingbird
import LensExplain
import LensStudio

/// The Explain page's routes: the maps of an uploaded image (with its nearest training images and
/// each map's badge), the nearest images alone, and the trust record the badges show, which is
/// computed in the background and answered 202 until it is ready.
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
            let bytes = try await body(request)
            return try JSONResponse.encode(try library.explanation(APIRoutes.modelID(request), image: bytes, request: explanation))
        }
        api.post("nearest") { request, _ in
            let id = APIRoutes.modelID(request)
            guard let nearest = try library.nearestImages(id, image: try await body(request)) else {
                return try JSONResponse.encode(Computing(model: try library.entry(id).id), status: .accepted)
            }
            return try JSONResponse.encode(nearest)
        }
        api.get("trust") { request, _ in
            let id = APIRoutes.modelID(request)
            switch try library.trust(id) {
            case .ready(let trust): return try JSONResponse.encode(trust)
            case .computing: return try JSONResponse.encode(Computing(model: try library.entry(id).id), status: .accepted)
            case .failed(let error): throw error
            }
        }
    }

    /// The request body, at most `maxUpload` bytes (beyond that, 413).
    private func body(_ request: Request) async throws -> Data {
        var request = request
        return Data(try await request.collectBody(upTo: maxUpload).readableBytesView)
    }

    /// The answer while a background figure is being computed.
    struct Computing: Codable { var status = "computing"; var model: String }
}
