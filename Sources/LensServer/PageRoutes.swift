import Foundation
import Hummingbird
import LensRender

/// The pages and their scripts, read once from the package's resources. The routes are this fixed
/// list: no request path ever becomes a file path.
struct PageRoutes: Sendable {
    /// The pages: URL path, title, and the script that draws it.
    static let pages: [(path: String, title: String, script: String)] = [
        ("/", "Overview", "overview.js"), ("/tour", "Tour", "tour.js"), ("/templates", "Templates", "templates.js"), ("/units", "Units", "units.js"),
        ("/explain", "Explain", "explain.js"), ("/train", "Train", "train.js"),
    ]

    /// The files under /static/ and their content types (the stylesheet is LensRender's, the report's own).
    static let staticFiles: [(resource: String, type: String)] = [
        ("common.js", "text/javascript; charset=utf-8"),
    ] + pages.map { ($0.script, "text/javascript; charset=utf-8") }

    let contents: [String: (data: Data, type: String)]

    /// Loads every file; a missing resource is a broken build, reported as such.
    init() throws {
        guard let directory = Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw ServerError("the web pages are missing from this build (resource folder \"web\")")
        }
        var contents: [String: (Data, String)] = [:]
        for file in Self.staticFiles {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file.resource).path) else {
                throw ServerError("the file \(file.resource) is missing from this build")
            }
            contents["/static/" + file.resource] = (data, file.type)
        }
        contents["/static/style.css"] = (Data(Stylesheet.css.utf8), "text/css; charset=utf-8")
        for page in Self.pages {
            contents[page.path] = (Data(Self.shell(title: page.title, script: page.script).utf8), "text/html; charset=utf-8")
        }
        self.contents = contents
    }

    /// Every page is this shell; its script fills it in.
    static func shell(title: String, script: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>NeuralLens · \(title)</title>
        <link rel="stylesheet" href="/static/style.css">
        <script src="/static/common.js" defer></script>
        <script src="/static/\(script)" defer></script>
        </head>
        <body class="app">
        <main id="page"><h1>\(title)</h1><p id="status" class="muted">loading…</p></main>
        </body>
        </html>

        """
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
