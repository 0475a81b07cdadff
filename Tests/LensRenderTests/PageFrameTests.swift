import Foundation
import Testing
@testable import LensRender

/// The frame of every report page: a navigation bar that fits one line, charts whose labels fit.
@Suite struct PageFrameTests {
    @Test("the navigation bar names a page by its short name and keeps the full title as the link's tooltip")
    func navigationUsesShortNames() {
        let trust = ReportPage(fileName: "trust.html", title: "Can we trust these maps?", body: "", navigationTitle: "Trust")
        let units = ReportPage(fileName: "units.html", title: "Units", body: "")
        let page = units.document(navigation: [units, trust])
        #expect(page.contains("<a href=\"trust.html\" title=\"Can we trust these maps?\">Trust</a>"))
        #expect(page.contains("<strong>Units</strong>"))
        #expect(!page.contains(">Can we trust these maps?</a>"))
    }

    @Test("a sweep chart's last x label lies inside the picture")
    func lastTickLabelFits() throws {
        let chart = LineChart(title: "accuracy against K", xLabel: "K", yLabel: "accuracy",
                              series: [.init(name: "test", color: "#000", points: [(1, 0.5), (10, 0.7), (100, 0.9), (1000, 0.95)])],
                              logarithmicX: true)
        let width = 420.0
        let svg = chart.svg(width: width)
        let label = try #require(svg.firstMatch(of: try Regex(#"<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">1000</text>"#)))
        let text = try #require(label.output[1].substring)
        let x = try #require(Double(text))
        #expect(x + LineChart.labelWidth("1000") / 2 <= width, "label centred at \(x)")
    }
}
