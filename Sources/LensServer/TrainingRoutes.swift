import Foundation
import Hummingbird
import LensStudio

/// Training jobs: start (JSON body), status, cancel, and a server-sent event stream of the epochs.
struct TrainingRoutes: Sendable {
    let library: ModelLibrary
    let maxUpload: Int

    func add<Context: RequestContext>(to api: RouterGroup<Context>) {
        api.get("train") { _, _ in try JSONResponse.encode(library.runner.status) }
        api.post("train") { request, _ in
            let body = try await request.bodyData(upTo: maxUpload)
            let job: TrainingRequest
            do { job = try StudioJSON.decoder().decode(TrainingRequest.self, from: body) } catch {
                throw StudioError(.invalidInput, "the body is not a training request: send JSON such as {\"kind\": \"mlp\", \"hidden_units\": 300, \"epochs\": 40, \"learning_rate\": 0.001} (\(Self.reason(error)))")
            }
            let name = try library.startTraining(job)
            return try JSONResponse.encode(["model": name], status: .accepted)
        }
        api.post("train/cancel") { _, _ in
            try JSONResponse.encode(["cancelled": library.runner.cancel()])
        }
        api.get("train/events") { _, _ in
            let events = library.runner.subscribe()
            var headers = JSONResponse.headers("text/event-stream")
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers,
                            body: ResponseBody { writer in
                                let encoder = StudioJSON.encoder()
                                for await event in events {
                                    let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                                    try await writer.write(ByteBuffer(string: "event: \(event.kind.rawValue)\ndata: \(json)\n\n"))
                                }
                                try await writer.finish(nil)
                            })
        }
    }

    /// A decoding error in one line.
    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): "not valid JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        default: "\(error)"
        }
    }
}
