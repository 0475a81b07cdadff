import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

/// A model's templates for the web app: LensExplain's analysis (`Templates`) laid out and drawn as
/// the report draws it (`TemplateLayout`): softmax regression's class templates, an MLP's hidden
/// templates with, per class, the units that vote for it most, or a CNN's first-layer filters.
public struct TemplatesFigure: Codable, Sendable {
    /// One template drawn.
    public struct Picture: Codable, Sendable {
        public var index: Int
        public var caption: String
        public var drawn: DrawnMap
    }

    /// A hidden unit voting for a class, with its output weight W2[class, unit].
    public struct Vote: Codable, Sendable {
        public var unit: Int
        public var weight: Float
    }

    public struct ClassVoters: Codable, Sendable {
        public var `class`: String
        /// The class's label: its index in `likeness.perClass` and `classPhotos` (voters come in natural order).
        public var classIndex: Int
        public var votes: [Vote]
    }

    public struct Likeness: Codable, Sendable {
        public var label: String
        public var meaning: String
        public var mean: Float
        /// Per class: its template's correlation (softmax) or its top voter's (MLP), in class order.
        public var perClass: [Float]
    }

    /// `TemplateKind`'s name: "class-weights", "hidden-units" or "filters".
    public var kind: String
    /// What the figure is called and what a template of this kind is (`TemplateLecture`).
    public var title: String
    public var lecture: String
    /// The layer whose weights these are.
    public var layer: String
    /// Templates in the layer; `grid` shows the first of them.
    public var count: Int
    /// Every template drawn (the grid's and the voters'), in index order.
    public var pictures: [Picture]
    /// The main grid, by template index.
    public var grid: [Int]
    /// Hidden units: per class, its strongest voters.
    public var votes: [ClassVoters]
    public var likeness: Likeness?
    /// How smooth the same class templates are (`TemplateSmoothness`), beside the likeness figure
    /// so that static never passes for a legible template; nil where there are no class templates.
    public var smoothness: Likeness?
    /// Why there is no likeness figure for a model that has class templates.
    public var likenessProblem: String?
    /// Per class, in label order: one training photo of it (a PNG data URI), shown beside its
    /// template and voters so the reader sees whom a template stands for; empty without training images.
    public var classPhotos: [String] = []
    /// The one scale of every picture: ±bound, and its colour bar with its label (HTML with inline SVG).
    public var bound: Float
    public var colorBar: String

    /// Each template's shape [C, H, W]: pages draw the one-pixel-per-weight pictures enlarged by it.
    public var shape: [Int]

    /// How many templates a figure draws, at most: the grid's size and the classes whose voters are shown.
    /// The one owner of these numbers for the report, the web app, `lens explain` and the demo's sweep.
    public struct Limits: Sendable {
        public var grid: Int
        public var votingClasses: Int

        /// One model on a page (the web app's Templates page, `lens explain --method templates`).
        public static let page = Limits(grid: 100, votingClasses: 100)
        /// The report's templates page, which shows several models: a smaller grid, every class's voters.
        public static let report = Limits(grid: 64, votingClasses: 100)
        /// The demo's sweep over the hidden width K: the first units of each width, no voters.
        public static let sweep = Limits(grid: 20, votingClasses: 0)
    }

    static let nearestNeighborProblem = "a k-NN model has no learned weights to draw; its templates are the training images themselves"
}

extension ModelFile {
    /// The templates of a network model, with the face-likeness figure when `training` (its training
    /// images and labels) is given; an error for k-NN.
    public func templatesFigure(training: (images: Tensor, labels: [Int])?) throws -> TemplatesFigure {
        try templatesFigure(loadingTraining: { training })
    }

    /// The same, the training images read by `loadTraining` only where a likeness figure needs
    /// them (not for filters); its error becomes `likenessProblem`, and nil means "still loading".
    public func templatesFigure(loadingTraining loadTraining: () throws -> (images: Tensor, labels: [Int])?) throws -> TemplatesFigure {
        guard case .network(let network) = model else {
            throw StudioError(.notApplicable, TemplatesFigure.nearestNeighborProblem)
        }
        return try withoutActuallyEscaping(loadTraining) { load in
            try TemplatesFigure(network, classNames: provenance.classNames, limits: .page,
                                onFaces: DatasetSource.builtIn(recorded: provenance.dataset)?.holdsFaces ?? false,
                                loadingTraining: load)
        }
    }
}

extension TemplatesFigure {
    /// `network`'s templates laid out by `TemplateLayout` within `limits`. The likeness figure is
    /// computed from what `loadTraining` gives (nil: still loading, said in `likenessProblem`);
    /// without `loadTraining` there is none and no problem is reported (the demo's sweep).
    /// `onFaces`: the images are faces, so the likeness figure may be called face-likeness.
    public init(_ network: Network, classNames: [String], limits: Limits, onFaces: Bool = false,
                loadingTraining loadTraining: (() throws -> (images: Tensor, labels: [Int])?)?) throws {
        let templates: Templates
        do { templates = try Templates(of: network) } catch {
            throw StudioError(.notApplicable, "this model's first layer cannot be drawn as templates: \(error)")
        }
        let layout = try TemplateLayout(templates, classNames: classNames, gridLimit: limits.grid,
                                        votingClasses: limits.votingClasses)
        let captions = Dictionary(uniqueKeysWithValues: zip(layout.grid, layout.captions))
        var likeness: Likeness?
        var likenessProblem: String?
        var photos: [String] = []
        let smoothness = (try? templates.smoothness()).map {
            Likeness(label: TemplateSmoothness.name, meaning: TemplateSmoothness.meaning, mean: $0.mean, perClass: $0.perClass)
        }
        if templates.kind != .filters, let loadTraining {
            do {
                if let training = try loadTraining() {
                    let figure = try templates.faceLikeness(trainingImages: training.images, labels: training.labels)
                    likeness = .init(label: FaceLikeness.label(onFaces: onFaces), meaning: ExplanationPages.faceLikenessMeaning,
                                     mean: figure.mean, perClass: figure.perClass)
                    photos = Self.classPhotos(training.images, labels: training.labels, classes: classNames.count)
                } else {
                    likenessProblem = "the training images are still loading; reload the page in a moment for the likeness figure"
                }
            } catch {
                likenessProblem = "\(error)"
            }
        }
        let lecture = TemplateLecture.of(templates.kind)
        self.init(
            kind: templates.kind.rawValue, title: lecture.title, lecture: lecture.text, layer: templates.layer, count: templates.count,
            pictures: layout.drawn.map { index in
                .init(index: index, caption: captions[index] ?? "unit \(index)",
                      drawn: PNGImage.signedMap(layout.item(index), scale: layout.scale))
            },
            grid: layout.grid,
            votes: layout.votes.map { votes in
                .init(class: votes.classIndex < classNames.count ? classNames[votes.classIndex] : "class \(votes.classIndex)",
                      classIndex: votes.classIndex, votes: zip(votes.units, votes.weights).map { .init(unit: $0, weight: $1) })
            },
            likeness: likeness, smoothness: smoothness, likenessProblem: likenessProblem, classPhotos: photos, bound: layout.scale.bound,
            colorBar: ColorBar.html(layout.scale, label: "weight, one scale for every template drawn here"),
            shape: Array(templates.images.shape.dropFirst()))
    }
}

extension TemplatesFigure {
    /// Each class's first training image as a PNG data URI, in label order ("" for a class without one).
    static func classPhotos(_ images: Tensor, labels: [Int], classes: Int) -> [String] {
        let shape = Array(images.shape.dropFirst())
        return (0..<classes).map { label in
            guard let first = labels.firstIndex(of: label), first < (images.shape.first ?? 0) else { return "" }
            return (try? PNGImage.dataURI(images.slice(first..<(first + 1)).reshaped(shape), scale: .unit)) ?? ""
        }
    }
}

extension Network {
    /// The first `limit` templates drawn as the Templates page draws them, as PNG data URIs (an
    /// undrawable one is left out): what a training job shows after each epoch. Empty for a
    /// network whose first layer has no templates.
    public func templatePictures(classNames: [String], limit: Int) -> [String] {
        guard let templates = try? Templates(of: self),
              let layout = try? TemplateLayout(templates, classNames: classNames, gridLimit: limit, votingClasses: 0) else { return [] }
        return layout.grid.compactMap { PNGImage.signedMap(layout.item($0), scale: layout.scale).image }
    }
}
