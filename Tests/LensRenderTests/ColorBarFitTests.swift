import Foundation
import Testing
@testable import LensRender

/// Every number under a colour bar fits inside the picture: a long clipped end ("≥ 8.17e−05")
/// widens the bar's margins instead of being cut off at the edge.
@Suite struct ColorBarFitTests {
    /// The SVG's width and each label with its x (centred there).
    static func labels(_ svg: String) -> (width: Double, labels: [(x: Double, text: String)]) {
        let width = Double(svg.firstMatch(of: #/width="(\d+)"/#)?.output.1 ?? "0") ?? 0
        let labels = svg.matches(of: #/<text x="([\d.]+)"[^>]*>([^<]*)</text>/#).map { (Double($0.output.1) ?? -1, String($0.output.2)) }
        return (width, labels)
    }

    @Test(arguments: [
        MapScale(kind: .magnitude, bound: 8.17e-5, isRobust: true),
        MapScale(kind: .signed, bound: 8.17e-5, isRobust: true),
        MapScale(kind: .signed, bound: 1.234e-7, isRobust: true).logarithmic(decades: 3),
        MapScale(kind: .magnitude, bound: 0.5),
    ])
    func everyLabelFits(_ scale: MapScale) {
        let (width, labels) = Self.labels(ColorBar.svg(scale, label: "map"))
        #expect(labels.count >= 3)
        for (x, text) in labels {
            let half = Double(ColorBar.halfWidth(of: text))
            // 11 px type: no character is wider than 6.6 px, so the label lies inside [x − half, x + half].
            #expect(Double(text.count) * 6.6 / 2 <= half)
            #expect(x - half >= 0 && x + half <= width, "\(text) at \(x) in \(width) px")
        }
    }

    @Test func aShortLabelKeepsTheBarsWidth() {
        let (width, _) = Self.labels(ColorBar.svg(MapScale(kind: .signed, bound: 1), label: "map", width: 240))
        #expect(width == 240)
        let (wider, _) = Self.labels(ColorBar.svg(MapScale(kind: .signed, bound: 8.17e-5, isRobust: true), label: "map", width: 240))
        #expect(wider > 240)
    }
}
