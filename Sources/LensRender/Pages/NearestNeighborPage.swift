import Foundation
import LensTensor

/// Lecture step 2: each test image beside the training image closest to it.
public struct NeighborPair: Sendable {
    public var query: Tensor            // [C, H, W]
    public var queryClass: String
    public var neighbor: Tensor         // [C, H, W]
    public var neighborClass: String
    public var neighborIndex: Int
    public var distance: Float

    public init(query: Tensor, queryClass: String, neighbor: Tensor, neighborClass: String, neighborIndex: Int, distance: Float) {
        self.query = query
        self.queryClass = queryClass
        self.neighbor = neighbor
        self.neighborClass = neighborClass
        self.neighborIndex = neighborIndex
        self.distance = distance
    }
}

public struct NeighborShowcase: Sendable {
    public var metric: String
    public var accuracy: Double
    public var pairs: [NeighborPair]

    public init(metric: String, accuracy: Double, pairs: [NeighborPair]) {
        self.metric = metric
        self.accuracy = accuracy
        self.pairs = pairs
    }
}

public enum NearestNeighborPage {
    public static func page(_ showcases: [NeighborShowcase], maxPairs: Int = 80) throws -> ReportPage {
        var body = """
        <p class=lecture>1-nearest-neighbour: find the training photo whose pixel vector is as close as possible
        to the input's, and output its label. No training at all, only a notion of distance.
        Euclidean distance is |a − b|; cosine distance is 1 − a·b/(|a||b|), which ignores overall brightness;
        dot-product similarity a·b favours bright images.</p>
        """
        body += HTML.table(header: ["distance", "test accuracy"],
                           rows: showcases.map { [$0.metric, String(format: "%.3f", $0.accuracy)] },
                           numericColumns: [1])
        for showcase in showcases {
            let wrong = showcase.pairs.filter { $0.queryClass != $0.neighborClass }.count
            body += "<h2>\(HTML.escape(showcase.metric)): each test image (left) and its nearest training image (right)</h2>"
            body += "<p>\(wrong) of \(showcase.pairs.count) shown are misclassified (red); they come first.</p><div class=pairs>"
            let ordered = showcase.pairs.enumerated().sorted { lhs, rhs in
                let lw = lhs.element.queryClass != lhs.element.neighborClass, rw = rhs.element.queryClass != rhs.element.neighborClass
                return lw != rw ? lw : lhs.offset < rhs.offset
            }.map(\.element)
            for pair in ordered.prefix(maxPairs) {
                let correct = pair.queryClass == pair.neighborClass
                body += "<div class=\"pair\(correct ? "" : " wrong")\">"
                body += try ReportImage.tag(pair.query, alt: "test image of \(pair.queryClass)")
                body += try ReportImage.tag(pair.neighbor, alt: "nearest training image #\(pair.neighborIndex), \(pair.neighborClass)")
                body += "<br>\(HTML.escape(pair.queryClass)) → \(HTML.escape(pair.neighborClass))<br>d = \(String(format: "%.3f", pair.distance))</div>"
            }
            body += "</div>"
        }
        return ReportPage(fileName: "nearest-neighbours.html", title: "Nearest neighbours", body: body)
    }
}
