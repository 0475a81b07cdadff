import Foundation
import Hummingbird
import LensStudio

/// JSON bodies for the API: results as they are encoded, errors as {"error": "..."}.
enum JSONResponse {
    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }

    /// The status a studio error maps to.
    static func status(of error: StudioError) -> HTTPResponse.Status {
        switch error.kind {
        case .invalidInput: .badRequest
        case .notFound: .notFound
        case .busy: .conflict
        case .notApplicable: .unprocessableContent
        case .failed: .internalServerError
        }
    }
}

/// Turns studio errors thrown by a route into JSON answers with their status.
struct StudioErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StudioError {
            return JSONResponse.error(JSONResponse.status(of: error), error.description)
        } catch let error as HTTPResponseError {
            return JSONResponse.error(error.status, error.status == .contentTooLarge
                                      ? "the upload is larger than this server accepts" : error.status.reasonPhrase)
        }
    }
}
