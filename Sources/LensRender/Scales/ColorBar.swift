/// A colour bar as inline SVG: the scale's colormap with its numbers, so the reader knows what a
/// colour means. Ends of a robust scale read "≤ −m" and "≥ m": larger values are clipped there.
public enum ColorBar {
    /// The bar under its label (HTML text, so a long label wraps instead of being cut off).
    public static func html(_ scale: MapScale, label: String, width: Int = 240) -> String {
        "<figure class=cbar><figcaption>\(HTML.escape(label))</figcaption>\(svg(scale, label: label, width: width))</figure>"
    }

    /// The bar alone; `label` is its accessible name.
    /// `width` is the bar's width with room for a short end label; a longer one ("≥ 8.17e−05")
    /// widens the picture so that it is never cut off.
    public static func svg(_ scale: MapScale, label: String, width: Int = 240) -> String {
        let ticks = ticks(scale)
        let steps = 64, barTop = 2, barHeight = 12
        let margin = max(28, ticks.map { halfWidth(of: $0.text) }.max() ?? 0)
        let barWidth = Double(width - 56)
        let width = Int(barWidth) + 2 * margin
        var svg = "<svg class=colorbar xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"34\" "
            + "viewBox=\"0 0 \(width) 34\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
        for step in 0..<steps {
            let x = Double(margin) + barWidth * Double(step) / Double(steps)
            let color = scale.colormap.color(at: (Float(step) + 0.5) / Float(steps))
            // Each rect overlaps the next by a hair so no seams show between them.
            svg += "<rect x=\"\(format(x))\" y=\"\(barTop)\" width=\"\(format(barWidth / Double(steps) + 0.5))\" "
                + "height=\"\(barHeight)\" fill=\"\(color.css)\"/>"
        }
        svg += "<rect x=\"\(margin)\" y=\"\(barTop)\" width=\"\(format(barWidth))\" height=\"\(barHeight)\" fill=\"none\" stroke=\"#888\" stroke-width=\"0.5\"/>"
        for (position, text) in ticks {
            let x = format(Double(margin) + barWidth * position)
            svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(barTop + barHeight)\" y2=\"\(barTop + barHeight + 4)\" stroke=\"#555\"/>"
            svg += "<text x=\"\(x)\" y=\"\(barTop + barHeight + 15)\" text-anchor=\"middle\">\(HTML.escape(text))</text>"
        }
        return svg + "</svg>"
    }

    /// Half a label's width in pixels at the bar's 11 px type, generously (6.6 px a character, and 2 to spare).
    static func halfWidth(of text: String) -> Int { Int((Double(text.count) * 3.3).rounded(.up)) + 2 }

    /// The numbers under the bar, at their positions along it (0 = left end, 1 = right end).
    static func ticks(_ scale: MapScale) -> [(position: Double, text: String)] {
        let (low, high) = scale.range
        let clip = scale.isRobust
        // A linear bar marks half its bound; a logarithmic one the value a decade down, so the
        // reader sees that each equal step is a power of ten.
        let inner: Float = scale.decades.map { 1 - 1 / Float($0) } ?? 0.5
        let mark = MapNumber.format(scale.value(atStrength: inner))
        let ends: [(Double, String)] = [(0, (clip ? "≤ " : "") + MapNumber.format(low)), (1, (clip ? "≥ " : "") + MapNumber.format(high))]
        return switch (scale.kind, scale.decades) {
        case (.signed, nil): ends + [(0.5, "0")]
        case (.signed, _): ends + [(Double(0.5 - inner / 2), "−" + mark), (0.5, "0"), (Double(0.5 + inner / 2), mark)]
        case (.magnitude, _): [(0, "0"), (Double(inner), mark), ends[1]]
        }
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
