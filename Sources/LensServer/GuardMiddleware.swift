import Hummingbird

/// Refuses requests whose Host header does not name this server (403: DNS rebinding) and bodies
/// that announce more than the upload cap (413) before anything reads them.
struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let configuration: ServerConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard configuration.accepts(hostHeader: request.head.authority) else {
            return JSONResponse.error(.forbidden, "this server answers only requests addressed to localhost, 127.0.0.1, [::1] or the host it was started with")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxUpload {
            return JSONResponse.error(.contentTooLarge, "the upload is \(length) bytes; this server accepts at most \(configuration.maxUpload)")
        }
        return try await next(request, context)
    }
}
