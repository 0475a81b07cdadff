import Foundation
import LensExplain
import LensRender
import LensStudio
import Testing

/// The report and the web app share one stylesheet and one lecture: the server serves the very
/// stylesheet the report embeds, and the tour reads the steps `lens demo`'s report is written by.
@Suite struct SharedFrontEndTests {
    @Test func theAppServesTheReportsStylesheetWithOnePlaceholderRule() async throws {
        let http = try await TestServer.shared.value.http
        let served = try await http.send("GET", "/static/style.css")
        #expect(served.status == 200 && served.text == Stylesheet.css)
        let page = ReportPage(fileName: "index.html", title: "t", body: "").document(navigation: [])
        #expect(page.contains("<style>\(Stylesheet.css)</style>") && page.contains("<body class=report>"))
        let shell = try await http.send("GET", "/tour")
        #expect(shell.status == 200 && shell.text.contains("<body class=\"app\">") && shell.text.contains("/static/tour.js"))
        // One rule draws the placeholder everywhere; the others only size it where it sits.
        let looks = Stylesheet.css.matches(of: /([^{}]+)\{([^}]*)\}/).filter { rule in
            rule.1.contains(".nomap") && rule.2.split(separator: ";").contains { declaration in
                !["width", "height", "box-sizing"].contains(declaration.split(separator: ":").first.map(String.init) ?? "")
            }
        }
        #expect(looks.count == 1, "\(looks.map { String($0.1) })")
    }

    @Test func theTourReadsTheLectureTheDemoIsWrittenBy() async throws {
        let http = try await TestServer.shared.value.http
        let answer = try await http.send("GET", "/api/lecture")
        #expect(answer.status == 200)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let lecture = try decoder.decode(Lecture.self, from: answer.body)
        #expect(lecture.steps == Lecture.standard.steps && lecture.title == Lecture.standard.title)
        #expect(Set(lecture.steps.compactMap(\.reportPage)) == ["nearest-neighbours.html", "templates.html", "training.html", "units.html",
                                                                "maps.html", "trust.html"], "every page lens demo writes has its step")
        let script = try await http.send("GET", "/static/tour.js")
        for step in lecture.steps where step.id != "vectors" {
            #expect(script.text.contains("async \(step.id)("), "the tour draws a figure for \(step.id)")
        }
    }

    @Test func templatesCarryTheLectureTheReportPrints() async throws {
        let server = try await TestServer.shared.value
        let answer = try await TestServer.settle(server.http, "GET", "/api/templates?model=softmax")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let figure = try decoder.decode(TemplatesFigure.self, from: answer.body)
        #expect(figure.title == TemplateLecture.of(.classWeights).title && figure.lecture == TemplateLecture.of(.classWeights).text)
        #expect(ExplanationPages.templatesSection(figure, heading: nil).contains(HTML.escape(figure.lecture)))
    }
}
