import Foundation

/// A small SVG line chart (learning curves, accuracy against K): no JavaScript, scales to any width.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, color: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var yRange: ClosedRange<Double>?
    /// Logarithmic x axis (for sweeps over sizes such as 1, 10, 100).
    public var logarithmicX: Bool
    /// Draw the legend in the title row; many or long series names need `legendHTML` below the chart instead.
    public var drawsLegend = true

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil,
                logarithmicX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
        self.logarithmicX = logarithmicX
    }

    public func svg(width: Double = 420, height: Double = 260) -> String {
        let transform: (Double) -> Double = logarithmicX ? { Foundation.log10(max($0, 1e-12)) } : { $0 }
        let all = series.flatMap(\.points).filter { $0.y.isFinite && $0.x.isFinite }.map { (x: transform($0.x), y: $0.y) }
        let xs = all.map(\.x), ys = all.map(\.y)
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9)
        let ticks = logarithmicX ? Array(Set(series.flatMap(\.points).map(\.x))).sorted() : [xMin, xMax]
        // The last x label is centred on the plot's right end: leave room for its half ("1000" is cut otherwise).
        let left = 48.0, right = max(12, Self.labelWidth(label(ticks.last ?? 0)) / 2 + 4), top = 24.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var yMin = yRange?.lowerBound ?? (ys.min() ?? 0), yMax = yRange?.upperBound ?? (ys.max() ?? 1)
        if yMax - yMin < 1e-9 { yMin -= 0.5; yMax += 0.5 }
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<text x=\"\(left)\" y=\"14\" font-weight=\"bold\">\(HTML.escape(title))</text>"
        for i in 0...4 {
            let y = yMin + (yMax - yMin) * Double(i) / 4
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"#e4e4e4\"/>"
            svg += "<text x=\"\(left - 4)\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(label(y))</text>"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        for tick in ticks {
            svg += "<text x=\"\(f(px(transform(tick))))\" y=\"\(height - 22)\" text-anchor=\"middle\">\(label(tick))</text>"
        }
        svg += "<text transform=\"translate(12,\(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>"
        for (index, item) in series.enumerated() {
            let points = item.points.filter { $0.y.isFinite && $0.x.isFinite }.map { (x: transform($0.x), y: $0.y) }
            let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            if points.count == 1, let p = points.first {
                svg += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(item.color)\"/>"
            }
            // Legend in the title row, right-aligned, so it never covers a curve.
            guard drawsLegend else { continue }
            let legendX = left + plotWidth - 90 * Double(series.count - index), legendY = 10.0
            svg += "<line x1=\"\(f(legendX))\" x2=\"\(f(legendX + 16))\" y1=\"\(f(legendY))\" y2=\"\(f(legendY))\" stroke=\"\(item.color)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(f(legendX + 20))\" y=\"\(f(legendY + 4))\">\(HTML.escape(item.name))</text>"
        }
        return svg + "</svg>"
    }

    /// The series' colours and names as a wrapping HTML line, for charts with `drawsLegend` off.
    public var legendHTML: String {
        "<p class=note>" + series.map { "<span style=\"color:\($0.color)\">━━</span> \(HTML.escape($0.name))" }
            .joined(separator: " &nbsp; ") + "</p>"
    }

    /// About how wide an axis label of 11 px digits is drawn (a digit is about 0.6 em).
    static func labelWidth(_ text: String) -> Double { Double(text.count) * 11 * 0.62 }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
    private func label(_ value: Double) -> String {
        // whole numbers (K, epochs) without a decimal: "5", not "5.0"
        value == value.rounded() && abs(value) < 1e9 ? String(format: "%.0f", value) : abs(value) >= 100 ? String(format: "%.0f", value) : abs(value) >= 1 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }
}
