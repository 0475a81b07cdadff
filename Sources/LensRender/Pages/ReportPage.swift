/// One page of the HTML report: a title, the lecture step it illustrates, and its body.
public struct ReportPage: Sendable {
    public var fileName: String
    public var title: String
    /// Raw HTML (build it with `HTML.escape` for any text that came from data or the user).
    public var body: String

    public init(fileName: String, title: String, body: String) {
        self.fileName = fileName
        self.title = title
        self.body = body
    }

    /// The whole document, sharing one stylesheet and a navigation bar across pages.
    /// The id of this page's section when pages are joined into one file.
    public var anchor: String {
        "page-" + fileName.replacingOccurrences(of: ".html", with: "").map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    public func document(navigation: [ReportPage], showsTitle: Bool = true) -> String {
        let links = navigation.map { page in
            page.fileName == fileName
                ? "<strong>\(HTML.escape(page.title))</strong>"
                : "<a href=\"\(HTML.escape(page.fileName))\">\(HTML.escape(page.title))</a>"
        }.joined(separator: " · ")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · NeuralLens</title>
        <style>\(Self.stylesheet)\(MapStyles.stylesheet)</style></head>
        <body><header>\(Self.signature) <nav>\(links)</nav></header>
        <main>\(showsTitle ? "<h1>\(HTML.escape(title))</h1>" : "")
        \(body)
        </main><footer>Made by NeuralLens. Faces: ORL Database of Faces, AT&amp;T Laboratories Cambridge.</footer></body></html>
        """
    }

    /// The mark every page lens writes carries in its header: how an earlier report is told from
    /// someone's file before it is replaced.
    public static let signature = "<span class=brand>NeuralLens</span>"

    static let stylesheet = """
    body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
    header{background:#1d1d1f;color:#eee;padding:.6em 1.2em}header a{color:#9cf}.brand{font-weight:700;margin-right:1em}
    main{max-width:1100px;margin:0 auto;padding:1em 1.2em}footer{color:#888;font-size:12px;padding:2em 1.2em}
    table{border-collapse:collapse;margin:.8em 0}th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
    .num{text-align:right;font-variant-numeric:tabular-nums}
    .pairs{display:flex;flex-wrap:wrap;gap:12px}.pair{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px;text-align:center;font-size:12px}
    .pair img,.grid img{image-rendering:pixelated;width:96px;height:96px}.wrong{border-color:#d33;background:#fff4f4}
    .grid{display:flex;flex-wrap:wrap;gap:8px}.grid figure{margin:0;text-align:center;font-size:12px}
    .lecture{border-left:4px solid #9cf;padding:.2em 1em;background:#fff;color:#444}
    svg text{font:11px system-ui,sans-serif}
    .scroll{overflow-x:auto}.headline{font-size:17px}.warning{color:#a40;background:#fff6e5;padding:.4em .8em;border-radius:4px}
    """
}
