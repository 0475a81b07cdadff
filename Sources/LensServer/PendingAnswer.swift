import Foundation
import Hummingbird
import LensStudio

/// What the API answers (202) while a model's figure is still being computed in the background
/// (its evaluation, templates, a layer's units, the nearest index, the trust checks): the page
/// asks again until the figure itself comes back with 200.
struct Pending: Codable {
    var status = "computing"
    var model: String
    var layer: String?
    /// The fraction done and the time left, for a figure that reports them (the trust checks).
    var progress: BackgroundProgress?

    var response: Response {
        get throws { try JSONResponse.encode(self, status: .accepted) }
    }

    /// `figure` with 200, or this answer with 202 while it is nil.
    func or(_ figure: (some Encodable)?) throws -> Response {
        guard let figure else { return try response }
        return try JSONResponse.encode(figure)
    }
}

extension Request {
    /// The request body, at most `limit` bytes (beyond that, 413).
    func bodyData(upTo limit: Int) async throws -> Data {
        var request = self
        return Data(try await request.collectBody(upTo: limit).readableBytesView)
    }
}
