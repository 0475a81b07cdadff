/// A picture with its caption, as grids show it (a template, a top-k patch, a neighbour).
public struct Figure: Sendable {
    public enum Mark: Sendable, Equatable {
        case plain
        /// A wrong answer (a misclassified image, a neighbour of another class): red frame.
        case wrong
        /// Something the reader should look at twice (an unusual input): amber frame and the reason.
        case flagged(String)
    }

    public var picture: Picture
    public var caption: String
    /// Smaller lines under the caption (a distance, an activation, a vote weight).
    public var details: [String]
    public var mark: Mark
    /// A caption of several long lines beside a small picture: given the width of a two-picture card
    /// so that it does not wrap a word a line.
    public var wideCaption: Bool

    public init(picture: Picture, caption: String, details: [String] = [], mark: Mark = .plain, wideCaption: Bool = false) {
        self.picture = picture
        self.caption = caption
        self.details = details
        self.mark = mark
        self.wideCaption = wideCaption
    }

    public var html: String {
        var classes = wideCaption ? "fig wide" : "fig"
        var lines = details
        switch mark {
        case .plain: break
        case .wrong: classes += " wrong"
        case .flagged(let reason):
            classes += " flagged"
            lines.insert("⚠ " + reason, at: 0)
        }
        var html = "<figure class=\"\(classes)\">\(picture.html)<figcaption><b>\(HTML.escape(caption))</b>"
        for line in lines { html += "<br><small>\(HTML.escape(line))</small>" }
        return html + "</figcaption></figure>"
    }
}

/// Figures in rows that wrap to the page width, optionally under a heading line (a unit, a class).
public enum PictureGrid {
    public static func html(_ figures: [Figure], heading: String? = nil, note: String? = nil) -> String {
        var html = "<section class=pgrid>"
        if let heading { html += "<h3>\(HTML.escape(heading))</h3>" }
        if let note { html += "<p class=note>\(HTML.escape(note))</p>" }
        html += "<div class=figs>" + figures.map(\.html).joined() + "</div>"
        return html + "</section>"
    }
}
