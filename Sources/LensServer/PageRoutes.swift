import Foundation
import Hummingbird
import LensRender

/// The pages and their scripts, compiled into the executable (EmbeddedWebFiles.swift is written at
/// build time from Resources/web, so a copied `lens` needs nothing beside it). The routes are this
/// fixed set: no request path ever becomes a file path.
struct PageRoutes: Sendable {
    /// The pages: URL path, title, and the script that draws it.
    static let pages: [(path: String, title: String, script: String)] = [
        ("/", "Overview", "overview.js"), ("/tour", "Tour", "tour.js"), ("/templates", "Templates", "templates.js"), ("/units", "Units", "units.js"),
        ("/layers", "Layers", "layers.js"), ("/embedding", "Embedding", "embedding.js"), ("/explain", "Explain", "explain.js"),
        ("/train", "Train", "train.js"),
    ]

    /// Content types by file extension; a file of another kind in Resources/web is a broken build.
    static let contentTypes: [String: String] = [
        "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "html": "text/html; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json; charset=utf-8",
    ]

    let contents: [String: (data: Data, type: String)]

    /// Every page, and every file of Resources/web under /static/.
    init() throws {
        var contents: [String: (Data, String)] = [:]
        for (name, encoded) in embeddedWebFiles {
            let suffix = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
            guard let data = Data(base64Encoded: encoded), let type = Self.contentTypes[suffix] else {
                throw ServerError("the web file \(name) was not built in properly (unknown kind or damaged)")
            }
            contents["/static/" + name] = (data, type)
        }
        contents["/static/style.css"] = (Data(Stylesheet.css.utf8), "text/css; charset=utf-8")
        for page in Self.pages {
            guard contents["/static/" + page.script] != nil else {
                throw ServerError("the script \(page.script) of the \(page.title) page is missing from this build")
            }
            contents[page.path] = (Data(Self.shell(title: page.title, script: page.script).utf8), "text/html; charset=utf-8")
        }
        self.contents = contents
    }

    /// The names of the files under /static/.
    static var staticFiles: [String] { embeddedWebFiles.keys.sorted() }

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
