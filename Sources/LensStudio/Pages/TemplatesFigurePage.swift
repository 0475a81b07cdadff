import Foundation
import LensRender

extension ExplanationPages {
    /// `figure` (the web app's Templates figure) as one page, written by the report's templates
    /// section: `lens explain --method templates` writes it.
    public static func templatesPage(_ figure: TemplatesFigure, title: String) -> ReportPage {
        ReportPage(fileName: "index.html", title: title, body: templatesSection(figure, heading: nil))
    }
}
