extension Architecture {
    /// Multinomial logistic regression: flatten, then one linear layer "fc" (one template per class).
    public static func softmaxRegression(inputShape: [Int], classes: Int) throws -> Architecture {
        try mlp(inputShape: inputShape, hidden: [], classes: classes, outputName: "fc")
    }

    /// flatten, fc1, relu1, fc2, relu2, ..., then a linear layer to the class scores.
    /// The hidden units of fc1 are the "templates" (fc1.weight rows, one image each).
    public static func mlp(inputShape: [Int], hidden: [Int], classes: Int) throws -> Architecture {
        try mlp(inputShape: inputShape, hidden: hidden, classes: classes, outputName: nil)
    }

    private static func mlp(inputShape: [Int], hidden: [Int], classes: Int, outputName: String?) throws -> Architecture {
        guard classes >= 2 else { throw ArchitectureError.invalidClassCount(classes) }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalidInputShape(shape: inputShape, problem: "every size must be above 0")
        }
        var layers: [LayerSpec] = [.flatten()]
        var features = inputShape.reduce(1, *)
        for units in hidden {
            layers += [.linear(in: features, out: units), .relu()]
            features = units
        }
        layers.append(.linear(outputName ?? "", in: features, out: classes))
        return try Architecture(inputShape: inputShape, layers: layers)
    }

    /// The default convolutional network for an image size (see `defaultCNNLayout`).
    public static func cnn(inputShape: [Int], classes: Int) throws -> Architecture {
        guard inputShape.count == 3 else {
            throw ArchitectureError.invalidInputShape(shape: inputShape,
                                                      problem: "a convolutional network needs images [channels, height, width]")
        }
        return try parse(defaultCNNLayout(height: inputShape[1], width: inputShape[2]), inputShape: inputShape, classes: classes)
    }

    /// The compact layout `cnn(inputShape:classes:)` uses for images of this size: three
    /// conv+pool blocks for faces-sized inputs (64x64), each conv batch normalised (the face recipe
    /// chosen on validation, docs/face-recipe.md), two blocks for digit-sized ones (28x28), fewer
    /// for tiny images so the pools always fit.
    public static func defaultCNNLayout(height: Int, width: Int) -> String {
        let side = min(height, width)
        switch side {
        case 48...: return "conv3x3x16,bn,pool,conv3x3x32,bn,pool,conv3x3x64,bn,pool,fc128"
        case 16...: return "conv3x3x32,pool,conv3x3x64,pool,fc128"
        case 4...: return "conv3x3x16,pool,fc64"
        default: return "conv3x3x16,fc64"
        }
    }
}
