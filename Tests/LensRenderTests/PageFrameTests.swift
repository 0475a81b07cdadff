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
}
