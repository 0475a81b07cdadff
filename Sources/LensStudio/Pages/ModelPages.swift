import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// One page of templates for several models (softmax, an MLP, a CNN's filters), each its own section.
    public static func templatesPage(_ models: [(name: String, network: Network, accuracy: Double)], data: PageData) throws -> ReportPage {
        let body = try models.map { try templatesSection($0.network, name: $0.name, accuracy: $0.accuracy, data: data) }.joined()
        return ReportPage(fileName: "templates.html", title: "Templates", body: body)
    }

    /// What to show about one network: its units (a CNN), its maps on the test images `indices`
    /// with each method's trust record, and the trust page. Trust first: the maps carry its badges.
    /// With `retraining` (the recipe the network was trained with) the trust page has data randomisation too.
    public static func explanationPages(_ network: Network, name: String, data: PageData, budget: PageBudget, indices: [Int],
                                        mapsTitle: String = "Attribution maps", mapsIntro: String? = nil, retraining: ModelRecipe? = nil,
                                        progress: (String) -> Void = { _ in }) throws -> [ReportPage] {
        let budget = budget.fitted(to: network)
        var pages: [ReportPage] = []
        if !unitLayers(of: network.architecture).isEmpty {
            pages.append(try unitsPage(network, name: name, data: data, budget: budget, progress: progress))
            progress("the test images at every layer (PCA, t-SNE, k-NN accuracy, trustworthiness)")
            pages.append(try embeddingReportPage(network, name: name, data: data, budget: budget))
        }
        var badges: [MethodTrust] = []
        var retrained: DataRandomisationReport?
        var trust: ReportPage?
        if (data.testImages.shape.first ?? 0) >= TrustSettings.minimumSamples {
            progress("trust checks on \(min(budget.trust.samples, data.testImages.shape.first ?? 0)) test images")
            var figures = try trustFigures(network, data: data, budget: budget)
            if let retraining {
                progress("data randomisation: retraining the \(name) on shuffled labels and a control")
                figures.dataRandomisation = try dataRandomisation(network, recipe: retraining, data: data, sample: figures.sample,
                                                                  budget: budget, progress: { progress("data randomisation: \($0)") })
            }
            badges = figures.badges
            retrained = figures.dataRandomisation
            trust = try trustPage(figures, name: name, data: data)
        }
        progress("attribution maps of \(indices.count) test images")
        pages.append(try mapsPage(network, name: name, data: data, indices: indices, trust: badges, budget: budget,
                                  title: mapsTitle, intro: mapsIntro, dataRandomisation: retrained))
        if let trust { pages.append(trust) }
        return pages
    }
}
