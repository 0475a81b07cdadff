/// One page of the HTML report: a title, the lecture step it illustrates, and its body.
public struct ReportPage: Sendable {
    public var fileName: String
    public var title: String
    /// Raw HTML (build it with `HTML.escape` for any text that came from data or the user).
    public var body: String
    /// The page's name in the navigation bar, short so that every page's link fits one line at 1280 px.
    public var navigationTitle: String

    /// `navigationTitle`: the bar's name for a page whose title is a sentence ("Trust" for "Can we trust these maps?").
    public init(fileName: String, title: String, body: String, navigationTitle: String? = nil) {
        self.fileName = fileName
        self.title = title
        self.body = body
        self.navigationTitle = navigationTitle ?? title
    }

    /// The whole document, sharing one stylesheet and a navigation bar across pages.
    /// The id of this page's section when pages are joined into one file.
    public var anchor: String {
        "page-" + fileName.replacingOccurrences(of: ".html", with: "").map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    /// `credit`: what the footer owes the images' makers (`DatasetSource.credit`), nil for the user's own.
    public func document(navigation: [ReportPage], showsTitle: Bool = true, credit: String? = nil) -> String {
        let links = navigation.map { page in
            page.fileName == fileName
                ? "<strong>\(HTML.escape(page.navigationTitle))</strong>"
                : "<a href=\"\(HTML.escape(page.fileName))\" title=\"\(HTML.escape(page.title))\">\(HTML.escape(page.navigationTitle))</a>"
        }.joined(separator: " · ")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · NeuralLens</title>
        <style>\(Stylesheet.css)</style></head>
        <body class=report><header>\(Self.signature) <nav>\(links)</nav></header>
        <main>\(showsTitle ? "<h1>\(HTML.escape(title))</h1>" : "")
        \(body)
        </main><footer>Made by NeuralLens.\(credit.map { " " + HTML.escape($0) } ?? "")</footer></body></html>
        """
    }

    /// The mark every page lens writes carries in its header: how an earlier report is told from
    /// someone's file before it is replaced.
    public static let signature = "<span class=brand>NeuralLens</span>"
}
