import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

/// A mistake explained against the truth: for a misclassified image, the map of the predicted
/// class, the map of the true class, and the map of their difference (the attribution of
/// logit_pred − logit_true, one gradient pass: `AttributionMethod.attribute(…, against:)`), all on
/// one signed scale and laid over the image, with a training photo of each class beside them.
/// The report's mistakes page and the web app's two-class picker draw this value.
public struct MistakeContrast: Codable, Sendable {
    public var method: String
    public var methodTitle: String
    /// The image's index in the test images searched.
    public var index: Int
    @PictureField public var image: String
    public var predicted: String
    public var truth: String
    /// logit_pred − logit_true: how far the model preferred its answer.
    public var margin: Float
    /// The three maps on `bound`'s one signed scale (channels summed), over the image.
    public var predictedMap: DrawnMap
    public var trueMap: DrawnMap
    public var differenceMap: DrawnMap
    public var bound: Float
    public var colorBar: String
    /// A training photo of each class (its first in the training images), gray PNG data URIs.
    @PictureField public var predictedPhoto: String
    @PictureField public var truePhoto: String
    public var scaleRule: String

    /// One scale for the three, so that the difference reads in the units of the two maps it
    /// subtracts: red where the pixels pushed towards the wrong answer rather than the true one.
    public static let scaleRule = "one symmetric scale for the three maps of an image (channels summed), fitted to them"
    /// Linear in the score, so that the difference map is exactly map(pred) − map(true), and
    /// complete: it sums to the change of logit_pred − logit_true from the baseline.
    public static let defaultMethod = AttributionMethod.integratedGradients
}

extension MistakeContrast {
    /// The contrast of image `index` of `images` [N, ...] between class `predicted` (nil: the
    /// network's answer) and `truth` (for a mistake, its true class; in the app, any second class).
    public init(network: Network, images: Tensor, index: Int, predicted chosen: Int? = nil, truth: Int, classNames: [String],
                trainImages: Tensor, trainLabels: [Int],
                method: AttributionMethod = Self.defaultMethod, settings: AttributionSettings = AttributionSettings(),
                context: AttributionContext = AttributionContext()) throws {
        var network = network
        let shape = Array(images.shape.dropFirst())
        let input = images.slice(index..<(index + 1))
        let logits = network.logits(input, batchSize: 1)
        let predicted = chosen ?? logits.argmaxRows().first ?? 0
        func map(_ target: Int, against: Int? = nil) throws -> Tensor {
            try method.attribute(&network, inputs: input, targets: [target], against: against.map { [$0] }, settings: settings,
                                 context: context).maps.reshaped(shape)
        }
        let (forPredicted, forTruth, difference) = (try map(predicted), try map(truth), try map(predicted, against: truth))
        let scale = MapScale.fitting(try [forPredicted, forTruth, difference].map { try ChannelReduction.sum.reduce($0) }, kind: .signed)
        let image = input.reshaped(shape)
        func drawn(_ values: Tensor) -> DrawnMap {
            do { return try PNGImage.map(values, reduction: .sum, scale: scale, over: image) } catch {
                return DrawnMap(image: nil, problem: "\(error)")
            }
        }
        func photo(_ label: Int) throws -> String {
            guard let row = trainLabels.firstIndex(of: label) else { return "" }
            return try PNGImage.dataURI(trainImages.slice(row..<(row + 1)).reshaped(shape), scale: .unit)
        }
        let name = { (label: Int) in label < classNames.count ? classNames[label] : "class \(label)" }
        let classes = logits.shape[1]
        self.init(method: method.rawValue, methodTitle: method.title, index: index, image: try ImageInput.dataURI(image),
                  predicted: name(predicted), truth: name(truth),
                  margin: logits.scalars[predicted] - logits.scalars[min(truth, classes - 1)],
                  predictedMap: drawn(forPredicted), trueMap: drawn(forTruth), differenceMap: drawn(difference), bound: scale.bound,
                  colorBar: ColorBar.html(scale, label: "\(method.title), one scale for the three maps"),
                  predictedPhoto: try photo(predicted), truePhoto: try photo(truth), scaleRule: Self.scaleRule)
    }

    /// Every misclassified image of `data`'s test images, at most `limit`, each contrasted.
    public static func mistakes(_ network: Network, data: PageData, limit: Int, method: AttributionMethod = Self.defaultMethod,
                                settings: AttributionSettings = AttributionSettings()) throws -> [MistakeContrast] {
        let predicted = network.predictions(data.testImages)
        let wrong = predicted.indices.filter { predicted[$0] != data.testLabels[$0] }.prefix(limit)
        let context = data.context
        return try wrong.map { index in
            try MistakeContrast(network: network, images: data.testImages, index: index, truth: data.testLabels[index],
                                classNames: data.classNames, trainImages: data.trainImages, trainLabels: data.trainLabels,
                                method: method, settings: settings, context: context)
        }
    }
}

extension ModelLibrary {
    /// The uploaded image `bytes` explained as `chosen` (nil: the model's answer) rather than
    /// `against`, with a training photo of each; nil while the model's data is being loaded.
    public func contrast(_ id: String?, image bytes: Data, chosen: String?, against: String, method: AttributionMethod,
                         settings: AttributionSettings) throws -> MistakeContrast? {
        let entry = try entry(id)
        guard case .network(let network) = entry.model.model else {
            throw StudioError(.notApplicable, "attribution maps need a network (softmax, MLP or CNN); a k-NN model has no gradients")
        }
        let names = entry.model.provenance.classNames
        func index(_ name: String) throws -> Int {
            guard let index = names.firstIndex(of: name) else { throw StudioError(.notFound, "no class named \"\(name)\"") }
            return index
        }
        let image = try ImageInput.tensor(bytes, preprocessing: entry.model.provenance.preprocessing)
        let (first, second) = (try chosen.map(index), try index(against))
        guard let evaluated = try evaluation(entry.id) else { return nil }
        let training = evaluated.dataset.trainingSet
        do {
            return try MistakeContrast(network: network, images: image.reshaped([1] + image.shape), index: 0, predicted: first, truth: second,
                                       classNames: names, trainImages: training.images, trainLabels: training.labels, method: method,
                                       settings: settings, context: AttributionContext(meanOf: training.images))
        } catch let error as ExplainError {
            throw StudioError(.invalidInput, "\(method.title): \(error)")
        }
    }
}

extension ExplanationPages {
    /// The report's contrast of each mistake: the two photos, the two maps and their difference.
    public static func mistakesContrastSection(_ contrasts: [MistakeContrast]) -> String {
        guard let first = contrasts.first else { return "" }
        var html = "<h2 id=\"contrast\">Each mistake against the truth</h2><p class=lecture>Why the model said one person rather than "
            + "the other: for each misclassified image, \(HTML.escape(first.methodTitle))'s map of the predicted class, of the true "
            + "class, and of their difference (the map of logit<sub>pred</sub> − logit<sub>true</sub>, one gradient pass), laid over "
            + "the image, with a training photo of each person. Red in the difference: pixels that pushed towards the wrong answer "
            + "rather than the true one; blue: towards the truth. Colours: \(HTML.escape(first.scaleRule)).</p>"
        for contrast in contrasts {
            func map(_ drawn: DrawnMap, _ caption: String) -> Figure {
                Figure(picture: drawn.picture(width: 112, height: 112, alt: caption), caption: caption)
            }
            let figures = [
                Figure(picture: .dataURI(contrast.image, width: 112, height: 112, alt: "test image \(contrast.index)"),
                       caption: "test image \(contrast.index)", details: ["said \(contrast.predicted), is \(contrast.truth)"], mark: .wrong),
                map(contrast.predictedMap, "map for \(contrast.predicted) (predicted)"),
                map(contrast.trueMap, "map for \(contrast.truth) (true)"),
                map(contrast.differenceMap, "\(contrast.predicted) − \(contrast.truth)"),
                Figure(picture: .dataURI(contrast.predictedPhoto, width: 112, height: 112, alt: contrast.predicted),
                       caption: "a training photo of \(contrast.predicted)"),
                Figure(picture: .dataURI(contrast.truePhoto, width: 112, height: 112, alt: contrast.truth),
                       caption: "a training photo of \(contrast.truth)"),
            ]
            html += PictureGrid.html(figures, heading: "Test image \(contrast.index): \(contrast.predicted) rather than \(contrast.truth) "
                                     + "(logit margin \(MapNumber.format(contrast.margin)))")
            html += "<div class=colorbars>\(contrast.colorBar)</div>"
        }
        return html
    }
}
