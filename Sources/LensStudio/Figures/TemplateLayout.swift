import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

/// What a model's templates figure shows, decided once for the report's templates section and the
/// web app's Templates page: the templates of the main grid with their captions, the voters of the
/// classes shown (a hidden layer), and the one symmetric scale every picture of the model shares.
public struct TemplateLayout: Sendable {
    public var templates: Templates
    /// The main grid: template indices in order, and what each is called.
    public var grid: [Int]
    public var captions: [String]
    /// Hidden units with an output layer after them: the strongest voters of the first classes in natural order.
    public var votes: [ClassVotes]
    /// Red above zero, blue below, white at zero; fitted to every template drawn, channels summed.
    public var scale: MapScale

    /// At most `gridLimit` templates in the grid and the voters of at most `votingClasses` classes.
    public init(_ templates: Templates, classNames: [String], gridLimit: Int, votingClasses: Int) throws {
        self.templates = templates
        let shown = min(templates.count, gridLimit)
        // Classes are shown in natural order (s1, s2 … s10); a template's index stays its class's label.
        let order = NaturalOrder.displayOrder(classNames)
        switch templates.kind {
        case .classWeights:
            grid = Array(order.filter { $0 < templates.count }.prefix(shown))
            captions = grid.map { classNames[$0] }
        case .hiddenUnits:
            grid = Array(0..<shown)
            captions = grid.map { "unit \($0)" }
        case .filters:
            grid = Array(0..<shown)
            captions = grid.map { "filter \($0)" }
        }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        votes = Array(templates.votes.sorted { rank[$0.classIndex, default: $0.classIndex] < rank[$1.classIndex, default: $1.classIndex] }
            .prefix(max(votingClasses, 0)))
        scale = MapScale(kind: .signed, bound: 1)
        scale = MapScale.fitting(try drawn.map { try ChannelReduction.sum.reduce(item($0)) }, kind: .signed)
    }

    /// Every template drawn (the grid's and the voters'), each once, in index order.
    public var drawn: [Int] { Array(Set(grid + votes.flatMap(\.units))).sorted() }

    /// Template `index` as [C, H, W] (an image of the input, or a filter).
    public func item(_ index: Int) -> Tensor {
        templates.images.slice(index..<(index + 1)).reshaped(Array(templates.images.shape.dropFirst()))
    }
}
