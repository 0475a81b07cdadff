import Foundation

/// A confusion matrix as an SVG heat map: rows the true class, columns the predicted one, each
/// cell shaded by its share of the row (recall on the diagonal) and labelled with its count.
/// Off-diagonal cells with a count link to `#confusion-<true>-<predicted>`, where a page can list
/// those images.
public struct ConfusionMatrixChart: Sendable {
    public var classNames: [String]
    /// confusion[true][predicted]
    public var confusion: [[Int]]

    public init(classNames: [String], confusion: [[Int]]) {
        self.classNames = classNames
        self.confusion = confusion
    }

    public static func anchor(actual: Int, predicted: Int) -> String { "confusion-\(actual)-\(predicted)" }

    public func svg(maxSide: Int = 720) -> String {
        let classes = classNames.count
        guard classes > 0 else { return "" }
        let labelWidth = min(140, 12 + 7 * (classNames.map(\.count).max() ?? 4))
        let cell = max(12, min(40, (maxSide - labelWidth) / classes))
        let side = labelWidth + cell * classes
        let showCounts = cell >= 18
        var svg = "<svg class=confusion xmlns=\"http://www.w3.org/2000/svg\" width=\"\(side + 8)\" height=\"\(side + 8)\" role=img aria-label=\"confusion matrix\">"
        for (index, name) in classNames.enumerated() {
            let y = labelWidth + index * cell + cell / 2 + 4
            svg += "<text x=\"\(labelWidth - 4)\" y=\"\(y)\" text-anchor=end>\(HTML.escape(name))</text>"
            let x = labelWidth + index * cell + cell / 2 + 4
            svg += "<text transform=\"translate(\(x),\(labelWidth - 4)) rotate(-90)\">\(HTML.escape(name))</text>"
        }
        for actual in 0..<classes {
            let rowTotal = max(confusion[actual].reduce(0, +), 1)
            for predicted in 0..<classes {
                let count = confusion[actual][predicted]
                let share = Double(count) / Double(rowTotal)
                let x = labelWidth + predicted * cell, y = labelWidth + actual * cell
                let fill = actual == predicted ? Self.shade(share, hue: (31, 119, 180)) : Self.shade(share, hue: (214, 39, 40))
                let title = "true \(classNames[actual]), predicted \(classNames[predicted]): \(count)"
                var rect = "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"#fff\"><title>\(HTML.escape(title))</title></rect>"
                if showCounts && count > 0 {
                    let ink = share > 0.55 ? "#fff" : "#222"
                    rect += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=middle fill=\"\(ink)\">\(count)</text>"
                }
                if actual != predicted && count > 0 {
                    rect = "<a href=\"#\(Self.anchor(actual: actual, predicted: predicted))\">\(rect)</a>"
                }
                svg += rect
            }
        }
        return svg + "</svg>"
    }

    /// White at 0, the full hue at 1.
    private static func shade(_ share: Double, hue: (Int, Int, Int)) -> String {
        let t = min(max(share, 0), 1)
        func mix(_ channel: Int) -> Int { Int((255 - Double(255 - channel) * t).rounded()) }
        return "rgb(\(mix(hue.0)),\(mix(hue.1)),\(mix(hue.2)))"
    }
}
