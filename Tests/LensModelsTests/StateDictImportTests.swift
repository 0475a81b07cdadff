import Foundation
import LensData
import LensTensor
import Testing
@testable import LensModels

/// State dicts written the way `safetensors.torch.save_file(model.state_dict())` writes them (the
/// project's own writer sorts names as safetensors does), from lens networks whose parameters are
/// renamed to a PyTorch module's names: the import must find each tensor's layer again.
@Suite("Importing a PyTorch state_dict")
struct StateDictImportTests {
    /// The network's parameters under `names` (one per parameter, in layer order).
    private func stateDict(_ network: Network, names: [String]) -> SafetensorsFile {
        var file = SafetensorsFile()
        for (name, parameter) in zip(names, network.parameters) { file[name] = parameter.tensor }
        return file
    }

    private func logits(_ model: ModelFile, _ input: Tensor) throws -> Tensor {
        guard case .network(let network) = model.model else { throw ModelFileError(path: "", problem: "not a network") }
        return network.logits(input)
    }

    private func expectClose(_ a: Tensor, _ b: Tensor, _ tolerance: Float = 1e-4, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, sourceLocation: sourceLocation)
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < tolerance, "largest difference \(worst)", sourceLocation: sourceLocation)
    }

    private func problem(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    // Four convolutions whose last three have one shape: only the module order puts them right,
    // and features.10 must come after features.2 although it sorts before it as text.
    private let arch = "conv3x3x4,conv3x3x4,pool,conv3x3x4,conv3x3x4,pool,fc8"
    private let torchNames = ["features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias",
                              "features.5.weight", "features.5.bias", "features.10.weight", "features.10.bias",
                              "classifier.1.weight", "classifier.1.bias", "classifier.4.weight", "classifier.4.bias"]
    private let classes = ["ant", "bee", "cat"]

    @Test("torch names in module order: the imported model computes the same logits and keeps the names")
    func matchesInModuleOrder() throws {
        let preprocessing = Preprocessing(size: 8, channels: 1)
        let reference = Network(architecture: try Architecture.parse(arch, inputShape: [1, 8, 8], classes: 3), seed: 7)
        let file = stateDict(reference, names: torchNames)
        #expect(file.names.prefix(2) == ["classifier.1.bias", "classifier.1.weight"])  // sorted by name, as safetensors stores them

        let result = try StateDictImport(architecture: arch, classNames: classes, preprocessing: preprocessing).load(file, path: "sd.safetensors")
        #expect(result.matches.map(\.tensor) == torchNames)
        #expect(result.notes.isEmpty)
        #expect(result.model.provenance.kind == .cnn && result.model.provenance.classNames == classes)
        let input = Tensor(shape: [5, 1, 8, 8], scalars: randomTensor([5 * 64], seed: 1).scalars.map { abs($0) / 3 })
        expectClose(try logits(result.model, input), reference.logits(input), 1e-6)
        guard case .network(let imported) = result.model.model else { Issue.record("not a network"); return }
        #expect(imported.parameters.map(\.name) == torchNames)

        // What lens writes reads back as an ordinary model file, PyTorch's names and all.
        let back = try ModelFile(file: try SafetensorsFile(data: try result.model.serialized()), path: "m.safetensors")
        expectClose(try logits(back, input), reference.logits(input), 1e-6)
        guard case .network(let reread) = back.model else { Issue.record("not a network"); return }
        #expect(reread.architecture.layerNames.prefix(3) == ["conv1", "relu1", "conv2"])
    }

    @Test("an nn.Sequential saved whole (0.weight … 10.bias) and our own names both import")
    func numberedAndOwnNames() throws {
        let reference = Network(architecture: try Architecture.parse(arch, inputShape: [1, 8, 8], classes: 3), seed: 3)
        let importer = StateDictImport(architecture: arch, classNames: classes, preprocessing: Preprocessing(size: 8, channels: 1))
        let input = randomTensor([2, 1, 8, 8], seed: 2)
        let numbered = ["0", "2", "5", "7", "11", "14"].flatMap { ["\($0).weight", "\($0).bias"] }
        expectClose(try logits(try importer.load(stateDict(reference, names: numbered), path: "s").model, input), reference.logits(input), 1e-6)
        let own = reference.parameters.map(\.name)
        expectClose(try logits(try importer.load(stateDict(reference, names: own), path: "s").model, input), reference.logits(input), 1e-6)
    }

    @Test("mean/std folded into a first linear layer: raw pixels give the logits PyTorch gives normalised ones")
    func normalisationFoldsIntoLinear() throws {
        let reference = Network(architecture: try Architecture.mlp(inputShape: [3, 4, 4], hidden: [6], classes: 3), seed: 5)
        let normalization = try InputNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channels: 3)
        let result = try StateDictImport(architecture: "fc6", classNames: classes, preprocessing: Preprocessing(size: 4, channels: 3),
                                         normalization: normalization)
            .load(stateDict(reference, names: ["net.1.weight", "net.1.bias", "net.3.weight", "net.3.bias"]), path: "s")
        #expect(result.notes.isEmpty && result.model.provenance.kind == .mlp)
        let raw = Tensor(shape: [4, 3, 4, 4], scalars: randomTensor([192], seed: 9).scalars.map { min(max(0.5 + $0 / 4, 0), 1) })
        expectClose(try logits(result.model, raw), reference.logits(normalised(raw, normalization)))
    }

    @Test("mean/std folded into an unpadded first convolution is exact; a padded one is reported as inexact at the border")
    func normalisationFoldsIntoConv() throws {
        let normalization = try InputNormalization(mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3], channels: 3)
        let raw = Tensor(shape: [3, 3, 6, 6], scalars: randomTensor([324], seed: 4).scalars.map { min(max(0.5 + $0 / 4, 0), 1) })
        for (compact, exact) in [("conv3x3x4p0,fc5", true), ("conv3x3x4,pool,fc5", false)] {
            let reference = Network(architecture: try Architecture.parse(compact, inputShape: [3, 6, 6], classes: 3), seed: 11)
            let result = try StateDictImport(architecture: compact, classNames: classes, preprocessing: Preprocessing(size: 6, channels: 3),
                                             normalization: normalization)
                .load(stateDict(reference, names: reference.parameters.map { "m." + $0.name }), path: "s")
            #expect(result.notes.isEmpty == exact, "\(compact)")
            let difference = zip(try logits(result.model, raw).scalars, reference.logits(normalised(raw, normalization)).scalars)
                .map { abs($0 - $1) }.max() ?? .infinity
            if exact { #expect(difference < 1e-4, "\(compact): \(difference)") } else { #expect(difference > 1e-4, "\(compact): the border differs") }
        }
        #expect(problem { try InputNormalization(mean: [0.5], std: [0.2, 0.3], channels: 1) }.contains("1 mean and 1 std value"))
        #expect(problem { try InputNormalization(mean: [0.5], std: [0], channels: 1) }.contains("each std above 0"))
    }

    @Test("bad state dicts: count, shape, class count, dtype, NaN and ambiguous order are one-line errors naming the file")
    func badStateDicts() throws {
        let reference = Network(architecture: try Architecture.parse(arch, inputShape: [1, 8, 8], classes: 3), seed: 7)
        let importer = StateDictImport(architecture: arch, classNames: classes, preprocessing: Preprocessing(size: 8, channels: 1))

        var missing = stateDict(reference, names: torchNames)
        missing["classifier.4.bias"] = nil
        #expect(problem { try importer.load(missing, path: "sd.safetensors") }
            .hasPrefix("sd.safetensors: holds 11 tensors (classifier.1.weight, classifier.1.bias, classifier.4.weight, features.0.weight"))
        #expect(problem { try importer.load(missing, path: "sd.safetensors") }.contains("the architecture has 12 parameters (conv1.weight [4, 1, 3, 3]"))
        #expect(problem { try importer.load(missing, path: "sd.safetensors") }
            .hasSuffix("; classifier.4.weight has no bias, and every lens layer has one (build the PyTorch layers with bias=True)"))
        var extra = stateDict(reference, names: torchNames)
        extra["features.1.running_mean"] = Tensor(shape: [4])
        #expect(problem { try importer.load(extra, path: "sd.safetensors") }.contains("holds 13 tensors"))
        #expect(!problem { try importer.load(extra, path: "sd.safetensors") }.contains("no bias"))

        var wrongShape = stateDict(reference, names: torchNames)
        wrongShape["features.5.weight"] = Tensor(shape: [4, 4, 5, 5])
        #expect(problem { try importer.load(wrongShape, path: "sd.safetensors") }
            == "sd.safetensors: tensor features.5.weight has shape [4, 4, 5, 5] but the architecture's conv3.weight needs [4, 4, 3, 3] "
            + "(tensors are matched to layers in order: features.0.weight, features.0.bias, features.2.weight, features.2.bias, "
            + "features.5.weight, features.5.bias, features.10.weight, features.10.bias, classifier.1.weight, classifier.1.bias, classifier.4.weight, classifier.4.bias)")

        let fourClasses = StateDictImport(architecture: arch, classNames: classes + ["dog"], preprocessing: Preprocessing(size: 8, channels: 1))
        #expect(problem { try fourClasses.load(stateDict(reference, names: torchNames), path: "sd.safetensors") }
            == "sd.safetensors: has 3 outputs (classifier.4.bias [3]) but 4 class names are given")

        var counter = stateDict(reference, names: torchNames)
        counter["features.0.bias"] = nil
        counter.setInt64("features.0.bias", Tensor(shape: [4], scalars: [1, 2, 3, 4]))
        #expect(problem { try importer.load(counter, path: "sd.safetensors") }.hasPrefix("sd.safetensors: tensor features.0.bias holds I64, not floating-point weights"))

        var nan = stateDict(reference, names: torchNames)
        nan["features.2.weight"]!.scalars[3] = .nan
        #expect(problem { try importer.load(nan, path: "sd.safetensors") }
            == "sd.safetensors: tensor features.2.weight holds nan at index 3; the weights must be finite numbers")

        // The name order does not fit and two others do (b and c have one shape): neither is guessed.
        let square = Network(architecture: try Architecture.parse("fc4,fc4", inputShape: [1, 2, 2], classes: 3), seed: 1)
        let twins = StateDictImport(architecture: "fc4,fc4", classNames: ["x", "y", "z"], preprocessing: Preprocessing(size: 2, channels: 1))
        #expect(problem { try twins.load(stateDict(square, names: ["b.weight", "b.bias", "c.weight", "c.bias", "a.weight", "a.bias"]), path: "t") }
            .hasPrefix("t: fits the architecture in more than one module order (b.weight, b.bias, c.weight, c.bias, a.weight, a.bias or "
                       + "c.weight, c.bias, b.weight, b.bias, a.weight, a.bias)"))
        #expect(problem { try StateDictImport(architecture: "conv3x3", classNames: classes, preprocessing: Preprocessing(size: 8, channels: 1))
            .load(stateDict(reference, names: torchNames), path: "sd.safetensors") }.hasPrefix("sd.safetensors: architecture \"conv3x3\": "))
    }

    @Test("class names: one per line, blank lines ignored; duplicates, too few and missing files are errors")
    func classNameFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("classes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ text: String) throws -> URL {
            let url = folder.appendingPathComponent("names.txt")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        #expect(try StateDictImport.classNames(contentsOf: write("cat\n dog \r\n\nbird\n")) == ["cat", "dog", "bird"])
        #expect(problem { try StateDictImport.classNames(contentsOf: write("cat\ndog\ncat\n")) }.hasSuffix("lists the class \"cat\" twice; class names must be distinct"))
        #expect(problem { try StateDictImport.classNames(contentsOf: write("cat\n")) }.contains("lists 1 class names; a classifier needs at least 2"))
        #expect(problem { try StateDictImport.classNames(contentsOf: folder.appendingPathComponent("none.txt")) }.hasSuffix("none.txt: no such file"))
    }

    @Test("candidate orders: numbers compare as numbers, a weight before its bias, top-level modules in every order")
    func moduleOrders() {
        let orders = StateDictImport.moduleOrders(["b.10.bias", "b.2.weight", "a.weight", "b.10.weight", "a.bias", "b.2.bias"])
        #expect(orders == [["a.weight", "a.bias", "b.2.weight", "b.2.bias", "b.10.weight", "b.10.bias"],
                           ["b.2.weight", "b.2.bias", "b.10.weight", "b.10.bias", "a.weight", "a.bias"]])
        #expect(StateDictImport.moduleOrders(["10.weight", "2.weight", "2.bias"]) == [["2.weight", "2.bias", "10.weight"]])
        #expect(StateDictImport.moduleOrders(["conv10.weight", "conv2.weight", "fc1.bias"])[0] == ["conv2.weight", "conv10.weight", "fc1.bias"])
        #expect(StateDictImport.permutations([0, 1, 2]).count == 6 && StateDictImport.permutations([0, 1, 2])[0] == [0, 1, 2])
    }

    /// (x − mean_c) / std_c, what torchvision's Normalize does before the PyTorch model.
    private func normalised(_ images: Tensor, _ normalization: InputNormalization) -> Tensor {
        let channels = images.shape[1], plane = images.shape[2] * images.shape[3]
        var out = images
        for i in 0..<out.count {
            let c = (i / plane) % channels
            out.scalars[i] = (out.scalars[i] - normalization.mean[c]) / normalization.std[c]
        }
        return out
    }
}
