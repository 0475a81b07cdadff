import Foundation
import LensRender

extension ExplanationPages {
    /// The demo's nearest-neighbour page: `comparison`'s accuracy table and, per distance, each
    /// test image beside its nearest training image, the pictures read from `dataset`.
    public static func nearestNeighborsPage(_ comparison: NearestNeighborComparison, dataset: StudioDataset) throws -> ReportPage {
        try NearestNeighborPage.page(comparison.runs.map { run in
            NeighborShowcase(metric: run.metric.rawValue, accuracy: run.accuracy, pairs: run.pairs.map { pair in
                NeighborPair(query: dataset.image(at: pair.testIndex), queryClass: pair.testClass,
                             neighbor: dataset.image(at: pair.neighborIndex), neighborClass: pair.neighborClass,
                             neighborIndex: pair.neighborIndex, distance: pair.distance)
            })
        })
    }
}
