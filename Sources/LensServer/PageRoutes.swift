import Foundation
import Hummingbird

/// The pages and their scripts, read once from the package's resources. The routes are this fixed
/// list: no request path ever becomes a file path.
struct PageRoutes: Sendable {
    /// URL path → (resource file, content type).
    static let files: [(path: String, resource: String, type: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/templates", "templates.html", "text/html; charset=utf-8"),
        ("/explain", "explain.html", "text/html; charset=utf-8"),
        ("/train", "train.html", "text/html; charset=utf-8"),
        ("/static/style.css", "style.css", "text/css; charset=utf-8"),
        ("/static/common.js", "common.js", "text/javascript; charset=utf-8"),
        ("/static/overview.js", "overview.js", "text/javascript; charset=utf-8"),
        ("/static/templates.js", "templates.js", "text/javascript; charset=utf-8"),
        ("/static/explain.js", "explain.js", "text/javascript; charset=utf-8"),
        ("/static/train.js", "train.js", "text/javascript; charset=utf-8"),
    ]

    let contents: [String: (data: Data, type: String)]

    /// Loads every page; a missing resource is a broken build, reported as such.
    init() throws {
        guard let directory = Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw ServerError("the web pages are missing from this build (resource folder \"web\")")
        }
        var contents: [String: (Data, String)] = [:]
        for file in Self.files {
            let url = directory.appendingPathComponent(file.resource)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ServerError("the page \(file.resource) is missing from this build")
            }
            contents[file.path] = (data, file.type)
        }
        self.contents = contents
    }

    func add<Context: RequestContext>(to router: Router<Context>) {
        for (path, page) in contents {
            let response = Response(status: .ok, headers: [.contentType: page.type, .cacheControl: "no-cache"],
                                    body: ResponseBody(byteBuffer: ByteBuffer(data: page.data)))
            router.get(RouterPath(path)) { _, _ in response }
        }
    }
}

/// A server that cannot start, and why.
public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
