import Hummingbird

/// Refuses, before any route runs: requests whose Host header does not name this server (403:
/// DNS rebinding), state-changing requests from another site's page (403, `SameOriginPolicy`),
/// and bodies that announce more than the upload cap (413).
struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let configuration: ServerConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard configuration.accepts(hostHeader: request.head.authority) else {
            return JSONResponse.error(.forbidden, "this server answers only requests addressed to localhost, 127.0.0.1, [::1] or the host it was started with (started on every interface: an address of this machine)")
        }
        let headers = request.headers
        if let reason = SameOriginPolicy.refusal(method: request.method.rawValue, authority: request.head.authority,
                                                 origin: headers[.origin], referer: headers[.referer],
                                                 fetchSite: headers[Self.fetchSite], contentType: headers[.contentType]) {
            return JSONResponse.error(.forbidden, reason)
        }
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxUpload {
            return JSONResponse.error(.contentTooLarge, "the upload is \(length) bytes; this server accepts at most \(configuration.maxUpload)")
        }
        return try await next(request, context)
    }

    static var fetchSite: HTTPFields.Element.Name { HTTPFields.Element.Name("Sec-Fetch-Site")! }
}
