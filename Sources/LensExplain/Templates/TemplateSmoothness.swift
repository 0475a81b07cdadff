import LensTensor

/// How smooth a model's class templates are: per class, the Pearson correlation between its
/// template and a copy blurred by a Gaussian of σ = `sigma` pixels, and the mean over classes.
/// Static (independent pixel noise) loses almost everything to the blur and scores near 0; a
/// template made of broad shapes, like a face, barely changes and scores near 1. Beside the
/// likeness figure it keeps noise that happens to correlate with the class means from passing
/// for a legible template.
public struct TemplateSmoothness: Codable, Sendable, Equatable {
    /// The blur's width in pixels.
    public static let sigma: Float = 1.5
    /// What the figure is called wherever it is shown.
    public static let name = "smoothness"
    /// What one smoothness number means, said once under every figure that shows it.
    public static let meaning = """
    the mean, over the classes, of the Pearson correlation between each class's template and a copy of it \
    blurred by a Gaussian of σ = 1.5 pixels: near 1 for templates made of broad shapes, near 0 for static.
    """

    public var perClass: [Float]
    public var mean: Float

    /// `templates[c]`, each an image of `shape` [C, H, W], against its blurred copy.
    public init(classTemplates templates: [[Float]], shape: [Int]) throws {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw ExplainError.invalidInput("smoothness needs templates laid out as images [C, H, W], not \(shape)")
        }
        let size = shape.reduce(1, *)
        guard templates.allSatisfy({ $0.count == size }) else {
            throw ExplainError.invalidInput("smoothness: templates of \(templates.first?.count ?? 0) values for images of \(size)")
        }
        let stacked = Tensor(shape: [templates.count] + shape, scalars: templates.flatMap { $0 })
        let blurred = GaussianBlur.apply(stacked, sigma: Self.sigma)
        perClass = templates.indices.map { c in
            let copy = blurred.scalars[(c * size)..<((c + 1) * size)]
            return Float(pearson(templates[c].map(Double.init), copy.map(Double.init)))
        }
        mean = perClass.isEmpty ? 0 : perClass.reduce(0, +) / Float(perClass.count)
    }
}

extension Templates {
    /// The smoothness of these class templates (softmax's class rows, an MLP's top voters).
    public func smoothness() throws -> TemplateSmoothness {
        try TemplateSmoothness(classTemplates: classTemplates(), shape: Array(images.shape.dropFirst()))
    }
}
