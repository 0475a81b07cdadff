import Foundation
import LensExplain
import LensModels

extension ModelLibrary {
    /// The model's nearest-neighbour index, starting it once the model's data is loaded (its
    /// evaluation done); `.computing` until then.
    public func nearestIndex(_ id: String?) throws -> BackgroundFigures<NearestIndex>.State {
        let entry = try entry(id)
        guard let evaluated = try evaluation(entry.id) else { return .computing }
        let model = entry.model
        return figures.nearest.state(entry.id) { try NearestIndex(model: model, dataset: evaluated.dataset) }
    }

    /// The model's trust record for the badges, starting the checks on the first call after its
    /// data is loaded, or read from the figure cache when this model file was checked before with
    /// the same settings and data. A k-NN model has no maps to check.
    public func trust(_ id: String?) throws -> BackgroundFigures<ModelTrust>.State {
        let entry = try entry(id)
        guard case .network(let network) = entry.model.model else {
            throw StudioError(.notApplicable, "a k-NN model draws no attribution maps, so there is nothing to check: "
                              + "its evidence is its nearest training images")
        }
        guard let evaluated = try evaluation(entry.id) else { return .computing }
        let cache = figureCache
        return figures.trust.state(entry.id, reporting: { done in
            try cache.figure("trust", modelFile: entry.file, settings: ModelTrust.settings(network: network, dataset: evaluated.dataset)) {
                try ModelTrust(network: network, dataset: evaluated.dataset, done: done)
            }
        })
    }

    /// How far model `id`'s trust checks have come, while they run (for the progress bar); nothing
    /// done yet while the model's evaluation, which they wait for, still runs.
    public func trustProgress(_ id: String?) throws -> BackgroundProgress {
        figures.trust.progress(try entry(id).id) ?? BackgroundProgress(fraction: 0, elapsed: 0)
    }

    /// The nearest training images to the uploaded image `bytes`; nil while the index is being built.
    public func nearestImages(_ id: String?, image bytes: Data) throws -> NearestImages? {
        let entry = try entry(id)
        let image = try ImageInput.tensor(bytes, preprocessing: entry.model.provenance.preprocessing)
        switch try nearestIndex(entry.id) {
        case .ready(let index): return try index.nearest(image)
        case .computing: return nil
        case .failed(let error): throw error
        }
    }

    /// The maps of the uploaded image `bytes` with every badge's trust record if it has been measured
    /// (`trust(_:)` starts the checks; an explanation never does, it would cost every caller tens of
    /// seconds of CPU) and the nearest training images if the index is ready. Never waits for
    /// either: each status says where it stands.
    public func explanation(_ id: String?, image bytes: Data, request: ExplanationRequest) throws -> Explanation {
        let entry = try entry(id)
        let image = try ImageInput.tensor(bytes, preprocessing: entry.model.provenance.preprocessing)
        var request = request
        let trustStatus: String
        do {
            let trust = try figures.trust.value(entry.id)
            request.trust = trust?.methods.map(\.record) ?? []
            trustStatus = trust == nil ? "pending" : "ready"
        } catch {
            trustStatus = "\(error)"
        }
        var explanation = try entry.model.explain(image, request)
        explanation.trustStatus = trustStatus
        switch Result(catching: { try nearestIndex(entry.id) }) {
        case .success(.ready(let index)):
            explanation.nearest = try index.nearest(image)
            explanation.nearestStatus = "ready"
        case .success(.computing): explanation.nearestStatus = "computing"
        case .success(.failed(let error)): explanation.nearestStatus = error.description
        case .failure(let error): explanation.nearestStatus = "\(error)"
        }
        return explanation
    }
}
