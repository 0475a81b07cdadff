import Foundation
import Hummingbird
import LensExplain
import LensStudio

/// The JSON API under /api/ that the pages use (documented in docs/http-api.md).
struct APIRoutes: Sendable {
    let library: ModelLibrary
    let maxUpload: Int

    func add<Context: RequestContext>(to router: Router<Context>) {
        let api = router.group("api")
        api.get("models") { _, _ in try JSONResponse.encode(library.state) }
        // Every knob with its default (per model where the recipe's differs), range, unit and help: the forms draw their inputs from it.
        api.get("settings") { _, _ in try JSONResponse.encode(library.settings) }
        // The lecture's steps, the tour page's script (the same text and order as `lens demo`'s report).
        api.get("lecture") { _, _ in try JSONResponse.encode(Lecture.standard) }
        // Every registered method, or with ?model= those that can explain that model (no Grad-CAM without a conv layer).
        api.get("methods") { request, _ in
            var methods = AttributionMethod.allCases
            if Self.modelID(request) != nil, case .network(let network) = try library.entry(Self.modelID(request)).model.model {
                methods = AttributionMethod.available(for: network.architecture)
            }
            return try JSONResponse.encode(methods.map(MethodInfo.init))
        }
        api.get("overview") { request, _ in
            let id = Self.modelID(request)
            guard let evaluated = try library.evaluation(id) else {
                return try Pending(status: "evaluating", model: try library.entry(id).id).response
            }
            return try JSONResponse.encode(evaluated.overview)
        }
        api.get("confusion-images") { request, _ in
            let evaluated = try ready(request)
            return try JSONResponse.encode(try evaluated.testImages(actual: try Self.integer(request, "actual"),
                                                                    predicted: try Self.integer(request, "predicted")))
        }
        api.get("samples") { request, _ in try JSONResponse.encode(try ready(request).samples()) }
        api.post("predict") { request, context in
            let model = try library.entry(Self.modelID(request)).model
            let image = try ImageInput.tensor(try await request.bodyData(upTo: maxUpload), preprocessing: model.provenance.preprocessing)
            return try JSONResponse.encode(try model.prediction(image))
        }
        TrainingRoutes(library: library, maxUpload: maxUpload).add(to: api)
        InspectionRoutes(library: library, maxUpload: maxUpload).add(to: api)
        ExplainRoutes(library: library, maxUpload: maxUpload).add(to: api)
    }

    /// The model's evaluation, or an error saying it is still being computed.
    private func ready(_ request: Request) throws -> EvaluatedModel {
        guard let evaluated = try library.evaluation(Self.modelID(request)) else {
            throw StudioError(.busy, "the model is still being evaluated on its test split; try again in a moment")
        }
        return evaluated
    }

    static func modelID(_ request: Request) -> String? {
        request.uri.queryParameters.get("model").flatMap { $0.isEmpty ? nil : $0 }
    }

    static func integer(_ request: Request, _ name: String) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else {
            throw StudioError(.invalidInput, "the query has no \(name)=<number>")
        }
        guard let value = Int(text) else { throw StudioError(.invalidInput, "\(name)=\(text) is not a whole number") }
        return value
    }

    struct MethodInfo: Codable {
        var name: String, title: String, summary: String
        init(_ method: AttributionMethod) {
            name = method.rawValue
            title = method.title
            summary = method.summary
        }
    }
}
