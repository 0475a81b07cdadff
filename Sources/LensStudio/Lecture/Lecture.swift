import Foundation

/// The lecture's storyline, told once: its steps in order, what each shows and in which words,
/// which page of `lens demo`'s report draws it and which page of the web app shows the same
/// figure. `lens demo` writes the report by it (`LectureRun`), the report's index lists its steps,
/// and the web app's tour page walks through them (`GET /api/lecture`).
public struct Lecture: Codable, Sendable {
    public struct Step: Codable, Sendable, Equatable {
        /// A name for links and tests ("templates").
        public var id: String
        public var title: String
        /// The lecture's text for this step: the report's index line, the tour's paragraph.
        public var text: String
        /// The page of `lens demo`'s report that draws it (nil: only the index says it).
        public var reportPage: String?
        /// The web app's page with the same figure, and the served model it shows (nil: none serves it).
        public var appPage: String?
        public var model: String?
    }

    public var title: String
    public var steps: [Step]

    /// The widths K of the hidden layer the demo sweeps (log scale), and those whose templates it draws.
    public static let sweepWidths = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
    public static let sweepWidthsDrawn: Set = [5, 20, 100]

    public static let standard = Lecture(title: "Understanding how neural networks see", steps: [
        Step(id: "vectors", title: "Images are vectors",
             text: "Every image is cropped, resized and flattened into one long vector of pixel intensities.",
             reportPage: nil, appPage: "/", model: nil),
        Step(id: "nearest", title: "Nearest neighbours",
             text: "The closest training image decides; three notions of closeness compared; the CNN's nearest images and how unusual an input is.",
             reportPage: "nearest-neighbours.html", appPage: "/explain", model: "orl-cnn"),
        Step(id: "templates", title: "Templates",
             text: "What softmax regression, a 1-hidden-layer network and a CNN's first layer learn: weights drawn as images, and how face-like.",
             reportPage: "templates.html", appPage: "/templates", model: "orl-softmax"),
        Step(id: "curves", title: "Training and the number of templates",
             text: "Accuracy and loss per epoch on training and validation data; in the full run (not --quick), the sweep over the number of templates K: more templates fit the training set better, until validation stops following.",
             reportPage: "training.html", appPage: "/train", model: nil),
        Step(id: "units", title: "Units",
             text: "What the CNN's units respond to: the image each unit wants to see (feature visualisation, with its path check) beside its top patches and their deconvnet projections, layer by layer.",
             reportPage: "units.html", appPage: "/units", model: "orl-cnn"),
        Step(id: "embedding", title: "The images layer by layer",
             text: "The test faces at every layer of the CNN, from the pixels up, mapped to 2-D (t-SNE): faces of one person draw together as the layers go up, and the curve of k-NN accuracy and trustworthiness says by how much.",
             reportPage: "embedding.html", appPage: "/embedding", model: "orl-cnn"),
        Step(id: "maps", title: "Attribution maps",
             text: "Attribution maps side by side for correct and misclassified test faces, each with its trust record.",
             reportPage: "maps.html", appPage: "/explain", model: "orl-cnn"),
        Step(id: "trust", title: "Can we trust these maps?",
             text: "Model randomisation and faithfulness of every method, and one verdict per method.",
             reportPage: "trust.html", appPage: "/explain", model: "orl-cnn"),
    ])

    /// The step a report page draws.
    public func step(forPage fileName: String) -> Step? { steps.first { $0.reportPage == fileName } }
}
