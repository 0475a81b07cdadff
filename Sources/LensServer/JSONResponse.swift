import Foundation
import HTTPTypes
import Hummingbird
import LensStudio
import LensTensor

/// JSON bodies for the API, in the one style of `StudioJSON` (snake_case keys): results as they
/// are encoded, errors as {"error": "..."} (built only by `error`). Every answer carries the API's version in the
/// `Lens-API-Version` header rather than in the body, so that answers that are lists
/// (/api/methods, /api/samples) and the event stream carry it too without changing shape.
enum JSONResponse {
    /// Raised when an answer's shape changes in a way that breaks a client.
    static let apiVersion = 1

    /// The headers of every API answer of `contentType`.
    static func headers(_ contentType: String = "application/json; charset=utf-8") -> HTTPFields {
        [.contentType: contentType, .lensAPIVersion: "\(apiVersion)"]
    }

    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: headers(),
                 body: ResponseBody(byteBuffer: ByteBuffer(data: try StudioJSON.encoder().encode(value))))
    }

    /// The one place an error body is made: `{"error": message}`, encoded by `StudioJSON` (quotes,
    /// backslashes and controls escaped as JSON), with the message made one line first
    /// (`OneLine`), as the CLI prints it, so that a file, class or model name holding a newline
    /// can neither break the body nor the line a client shows or logs.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body = (try? StudioJSON.encoder().encode(ErrorBody(error: OneLine.escape(message))))
            ?? Data(#"{"error":"the error could not be encoded"}"#.utf8)
        return Response(status: status, headers: headers(), body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }

    /// The shape of every error answer.
    struct ErrorBody: Codable, Equatable {
        var error: String
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
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Anything else a route lets through is still an answer in words, not an empty 500.
            return JSONResponse.error(.internalServerError, "the server could not answer: \(FileProblem.message(error))")
        }
    }
}

extension HTTPField.Name {
    /// The header that carries `JSONResponse.apiVersion`.
    static let lensAPIVersion = HTTPField.Name("Lens-API-Version")!
}
