import Foundation
import LensExplain
import LensModels
import LensTensor

/// How each layer arranges a split's images: per layer (pixels first) the PCA and t-SNE maps, and
/// the curve of two numbers over the layers: the k-NN accuracy of the split against the training
/// images in that layer's space, and t-SNE's trustworthiness. The one figure of
/// `lens explain --method embedding`, the report's and the web app's embedding pages.
public struct EmbeddingFigure: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var layer: String
        public var knnAccuracy: Double
        public var trustworthiness: Double
        public var divergence: Double
        /// [x, y] per image, in the split's order.
        public var pca: [[Float]]
        public var tsne: [[Float]]
    }

    public var model: String
    public var split: String
    public var classNames: [String]
    /// Per image of the split: its label, the model's prediction and its index in the dataset.
    public var labels: [Int]
    public var predictions: [Int]
    public var datasetIndices: [Int]
    public var layers: [Layer]
    public var settings: EmbeddingSettings
    /// One CSS colour per class, the one rule the report's and the web app's scatters use.
    public var classColors: [String]
    /// Per image, a PNG data URI of the model's input (the web app's hover and click); empty in the report.
    public var thumbnails: [String] = []
}

extension EmbeddingFigure {
    /// The layers of the view, from the pixels up: each weighted block's output (`UnitLayer.all`), then the logits' input.
    public static func layers(of architecture: Architecture) -> [String?] {
        [nil] + UnitLayer.all(in: architecture).map(\.name)
    }

    /// Ten classes or fewer: Matplotlib's tab10; more (the 40 faces): hues a golden angle apart at three lightnesses,
    /// so that neighbouring class numbers never share a colour.
    public static func colors(count: Int) -> [String] {
        let tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
        guard count > tab10.count else { return Array(tab10.prefix(count)) }
        return (0..<count).map { k in
            let hue = (Double(k) * 137.508).truncatingRemainder(dividingBy: 360)
            return String(format: "hsl(%.0f, 70%%, %d%%)", hue, [38, 52, 66][k % 3])
        }
    }

    public init(model: String, split: String, network: Network, embeddings: [LayerEmbedding], images: Tensor, labels: [Int],
                classNames: [String], datasetIndices: [Int], settings: EmbeddingSettings) {
        func points(_ tensor: Tensor) -> [[Float]] { (0..<tensor.shape[0]).map { [tensor.scalars[2 * $0], tensor.scalars[2 * $0 + 1]] } }
        self.init(model: model, split: split, classNames: classNames, labels: labels, predictions: network.predictions(images),
                  datasetIndices: datasetIndices,
                  layers: embeddings.map { Layer(layer: $0.layer, knnAccuracy: $0.knnAccuracy, trustworthiness: $0.trustworthiness,
                                                 divergence: $0.divergence, pca: points($0.pca), tsne: points($0.tsne)) },
                  settings: settings, classColors: Self.colors(count: classNames.count))
    }
}
