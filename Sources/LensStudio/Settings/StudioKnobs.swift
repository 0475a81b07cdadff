import LensData
import LensModels

/// The knobs of what a command reads and how much `lens explain` shows, declared once like
/// `TrainingKnobs`: the CLI's flags (help, default, the one range check), /api/settings, the
/// library's checks and the tests all read these.
public enum StudioKnobs {
    /// The side images are resized to. Its default is the source's own (`DatasetLoader.defaultPreprocessing`);
    /// `defaultValue` is the faces' and folders', and a PyTorch import's.
    public static let size = Knob<Int>(
        "size", name: "image side", default: DatasetLoader.defaultPreprocessing(for: .orl).size, range: 4...512, unit: "pixels",
        help: "Image side in pixels after crop and resize (default: \(DatasetLoader.defaultPreprocessing(for: .orl).size) faces/folders, "
            + "\(DatasetLoader.defaultPreprocessing(for: .fashionMNIST(directory: DatasetSource.defaultFashionMNISTDirectory)).size) Fashion-MNIST).")
    public static let limit = Knob<Int>(
        "limit", name: "number of images", default: 16, range: 1...100_000, unit: "images",
        help: "With --split: explain the first this many images of the split.")
    public static let maxUnits = Knob<Int>(
        "max_units", name: "number of units", default: 16, range: 1...4096, unit: "units",
        help: "units and deconvnet projections: show the first this many units of the layer.")
    public static let topClasses = Knob<Int>(
        "top", name: "number of classes", default: 3, range: 1...100_000, unit: "classes",
        help: "How many classes to show per image.")

    public static var all: [SettingInfo] { [SettingInfo(size), SettingInfo(limit), SettingInfo(maxUnits), SettingInfo(topClasses)] }

    /// `--arch`'s help, with the layouts a CNN gets when it is not given (`Architecture.defaultCNNLayout`).
    public static var architectureHelp: String {
        "Network layout, e.g. conv3x3x16,pool,conv3x3x32,pool,fc128 (ReLU after each conv/fc; the output layer is added); "
            + "bn adds batch normalisation, res3x3x32[s2] a residual block, gap global average pooling. "
            + "Default for cnn: \(Architecture.defaultCNNLayout(height: 64, width: 64)) on 64×64 images, "
            + "\(Architecture.defaultCNNLayout(height: 28, width: 28)) on 28×28; for mlp, from --hidden."
    }
}
