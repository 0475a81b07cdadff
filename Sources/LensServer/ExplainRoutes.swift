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
            explanation.settings = try Self.settings(request)
            let bytes = try await request.bodyData(upTo: maxUpload)
            return try JSONResponse.encode(try library.explanation(APIRoutes.modelID(request), image: bytes, request: explanation))
        }
        // One map as a file: ?method=M&format=png (the overlay) or npy (the raw map), &class= as above.
        api.post("explain/download") { request, _ in
            let query = request.uri.queryParameters
            let method: AttributionMethod
            do { method = try AttributionMethod.named(query.get("method") ?? "") } catch { throw StudioError(.invalidInput, "\(error)") }
            let format = try MapDownload.format(query.get("format"))
            let bytes = try await request.bodyData(upTo: maxUpload)
            let file = try library.mapDownload(APIRoutes.modelID(request), image: bytes, method: method, targetClass: query.get("class"),
                                               settings: try Self.settings(request), format: format)
            return Response(status: .ok, headers: [.contentType: format.contentType,
                                                   .contentDisposition: "attachment; filename=\"\(file.fileName)\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(data: file.data)))
        }
        // One image as one class rather than another: ?against=B (required), &class=A (default: the
        // model's answer), &method=M (default integrated gradients); 202 while the model's data loads.
        api.post("contrast") { request, _ in
            let query = request.uri.queryParameters
            let method: AttributionMethod
            do { method = try query.get("method").map(AttributionMethod.named) ?? MistakeContrast.defaultMethod } catch {
                throw StudioError(.invalidInput, "\(error)")
            }
            guard let against = query.get("against"), !against.isEmpty else {
                throw StudioError(.invalidInput, "name the second class: ?against=CLASS")
            }
            let id = APIRoutes.modelID(request), bytes = try await request.bodyData(upTo: maxUpload)
            return try Pending(model: try library.entry(id).id).or(
                try library.contrast(id, image: bytes, chosen: query.get("class"), against: against, method: method,
                                     settings: try Self.settings(request)))
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
            case .computing: return try Pending(model: try library.entry(id).id, progress: try library.trustProgress(id)).response
            case .failed(let error): throw error
            }
        }
    }

    /// The attribution settings given as query parameters, each parsed and checked by its declaration.
    static func settings(_ request: Request) throws -> AttributionSettings {
        var settings = AttributionSettings()
        for key in AttributionSettings.requestKeys {
            if let text = request.uri.queryParameters.get(key) { try settings.set(key, from: text) }
        }
        return settings
    }
}
