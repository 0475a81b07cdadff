import LensExplain

/// What a template of each kind is, for a student meeting it the first time: the one text the
/// report's templates section and the web app's Templates page (through `TemplatesFigure`) show.
public struct TemplateLecture: Codable, Sendable, Equatable {
    public var title: String
    public var text: String

    public static func of(_ kind: TemplateKind?) -> TemplateLecture {
        switch kind {
        case .classWeights?:
            TemplateLecture(title: "Class templates (softmax regression)", text: """
                Softmax regression scores each class by the dot product of the image with that class's weights; the largest \
                score wins. The weights have the shape of an image: one template per class. Red pixels raise the class's \
                score, blue ones lower it, white is zero; every class is drawn on the same scale.
                """)
        case .hiddenUnits?:
            TemplateLecture(title: "Hidden-unit templates (MLP)", text: """
                Each hidden unit matches the image against its own template (a row of W1); the output layer's weights \
                W2[class, unit] say how much each unit votes for each class. Below, for each class, the units with the \
                largest vote and its weight, then the templates themselves. Red pixels excite the unit, blue ones inhibit \
                it, white is zero, on one scale for every template drawn here.
                """)
        case .filters?:
            TemplateLecture(title: "First-layer filters (CNN)", text: """
                A convolutional network's first layer slides small filters over the image; each is drawn here enlarged, \
                channels summed, all on one scale. Edge and blob detectors show as red/blue stripes and spots.
                """)
        case nil:
            TemplateLecture(title: "Templates", text: "The weights drawn as images on one symmetric scale: red pushes the score up, blue down, white is zero.")
        }
    }
}
