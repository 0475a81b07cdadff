import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensStudio
import LensTensor

/// One `lens explain` run: the model, its data loaded on first need, the images asked about, and
/// one function per kind of method, each writing its pictures and index.html into --out.
struct ExplainSession {
    let command: ExplainCommand
    let modelFile: ModelFile
    let directory: URL
    private let dataCache = DataCache()

    init(command: ExplainCommand) throws {
        self.command = command
        modelFile = try command.pytorch.load(command.model, imageOptions: command.imageOptions)
        directory = URL(fileURLWithPath: command.out, isDirectory: true)
    }

    var classes: [String] { modelFile.provenance.classNames }
    var layerNames: [String] {
        if case .network(let network) = modelFile.model { network.layerNames } else { [] }
    }

    func network(for method: String) throws -> Network {
        guard case .network(let network) = modelFile.model else {
            throw CLIError("--method \(method) needs a network; \(command.model) is a k-NN model: try --method nearest")
        }
        return network
    }

    /// The model's dataset (or --data), split as at training time; loaded once.
    func dataset() throws -> StudioDataset {
        if let prepared = dataCache.prepared { return prepared }
        guard command.data != nil || !modelFile.provenance.dataset.isEmpty else {
            throw CLIError("this needs the model's dataset, and \(command.model) records none: give --data")
        }
        let prepared = try StudioDataset(for: modelFile, named: command.data, maxPixels: command.imageOptions.maxPixels)
        prepared.reportNotes()
        dataCache.prepared = prepared
        return prepared
    }

    func outputFolder() throws -> ReportWriter {
        try ReportWriter(flag: "--out", path: command.out)
    }

    // MARK: Inputs

    struct Input {
        var name: String
        var image: Tensor
        var label: Int?
    }

    /// The --image files, decoded the way the model records, or the first --limit images of --split.
    func inputs() throws -> [Input] {
        if !command.images.isEmpty {
            var seen: [String: Int] = [:]
            return try command.images.map { path in
                let url = URL(fileURLWithPath: path)
                let image = try modelFile.provenance.preprocessing.load(contentsOf: url, maxPixels: command.imageOptions.maxPixels)
                var name = url.deletingPathExtension().lastPathComponent
                seen[name, default: 0] += 1
                if seen[name]! > 1 { name += "-\(seen[name]!)" }
                return Input(name: name, image: image, label: nil)
            }
        }
        guard let choice = SplitChoice(rawValue: command.split ?? "") else {
            throw CLIError("give images to explain: --image FILE (repeatable) or --split test")
        }
        let prepared = try dataset()
        let indices = Array(prepared.indices(choice).prefix(command.limit))
        guard !indices.isEmpty else { throw CLIError("the \(choice.rawValue) split of \(prepared.source.name) is empty") }
        let tensor = prepared.images(indices)
        let itemShape = Array(tensor.shape.dropFirst())
        return indices.enumerated().map { row, index in
            let label = prepared.data.labels[index]
            return Input(name: "\(choice.rawValue)-\(index)-\(prepared.data.classNames[label])",
                         image: tensor.slice(row..<(row + 1)).reshaped(itemShape), label: label)
        }
    }

    /// --class for every item, or each item's predicted class.
    func targets(for batch: Tensor, network: Network) throws -> [Int] {
        if let name = command.className {
            guard let index = classes.firstIndex(of: name) else { throw ExplainError.unknownClass(name: name, classes: classes) }
            return Array(repeating: index, count: batch.shape[0])
        }
        return network.predictions(batch)
    }

    func progress(_ label: String) -> (@Sendable (Double) -> Void)? {
        guard Terminal.isInteractive else { return nil }
        return { @Sendable fraction in Terminal.progress(fraction, label) }
    }

    func finish(_ label: String) {
        if Terminal.isInteractive { Terminal.progress(1, label, done: true) }
    }

    // MARK: Attribution maps

    func attribution(_ method: AttributionMethod) throws -> AttributionReport {
        var network = try network(for: method.rawValue)
        if let reason = method.unavailability(for: network.architecture) { throw CLIError("--method \(method.rawValue): \(reason)") }
        let settings = try command.attribution.settings(layer: command.layer, seed: command.seed)
        var context = AttributionContext()
        if settings.baseline == .mean {
            let prepared = try dataset()
            context.meanImage = prepared.images(prepared.split.train).meanOfItems()
        }
        let inputs = try inputs()
        let batch = Tensor.stack(inputs.map(\.image))
        let targets = try targets(for: batch, network: network)
        let label = "\(method.rawValue): \(inputs.count) image(s)"
        context.progress = progress(label)
        let result = try method.attribute(&network, inputs: batch, targets: targets, settings: settings, context: context)
        finish(label)

        let writer = try outputFolder()
        let probabilities = SoftmaxCrossEntropy.probabilities(result.logits)
        let predicted = result.logits.argmaxRows()
        let itemShape = Array(batch.shape.dropFirst())
        let reduction = ChannelReduction.standard(for: method)
        var items: [AttributionReport.Item] = []
        var rows: [AttributionRow] = []
        for (row, input) in inputs.enumerated() {
            let map = result.maps.slice(row..<(row + 1)).reshaped(itemShape)
            let stem = "\(input.name).\(method.rawValue)"
            let check = MapCheck(map.scalars)
            var files: [String] = []
            if check.isHealthy {
                try writer.write(try MapPicture.png(map, reduction: reduction, over: input.image), to: stem + ".png")
                files.append(stem + ".png")
            }
            if command.npy {
                try NumpyArray.write(map, to: directory.appendingPathComponent(stem + ".npy"))
                files.append(stem + ".npy")
            }
            items.append(AttributionReport.Item(
                image: input.name, trueClass: input.label.map { classes[$0] }, predicted: classes[predicted[row]],
                target: classes[targets[row]], targetProbability: probabilities.scalars[row * classes.count + targets[row]],
                convergenceDelta: result.convergenceDelta?[row], problem: check.isHealthy ? nil : check.summary, files: files))
            let caption = "\(input.name): explains \(classes[targets[row]])"
            rows.append(AttributionRow(image: input.image, caption: caption,
                                       details: [String(format: "p = %.3f, predicted %@", probabilities.scalars[row * classes.count + targets[row]], classes[predicted[row]])],
                                       mark: input.label.map { $0 == predicted[row] ? .plain : .wrong } ?? .plain,
                                       panels: [try MapPanel(result: result, item: row, reduction: reduction)], overlay: true))
        }
        var body = "<p>\(HTML.escape(method.summary))</p>" + AttributionRow.legendHTML
        for row in rows { body += try row.html() }
        try writer.write(pages: [ReportPage(fileName: "index.html", title: "\(method.title): \(command.model)", body: body)])
        return AttributionReport(model: command.model, method: method.rawValue, settings: result.settings, items: items,
                                 directory: directory.path)
    }

    // MARK: Templates

    /// The web app's templates figure (`TemplateLayout`'s choice, captions, voters and scale), as a page and a summary.
    func templates() throws -> TemplatesReport {
        _ = try network(for: "templates")
        let figure = try modelFile.templatesFigure(loadingTraining: { try dataset().trainingSet })
        let writer = try outputFolder()
        try writer.write(pages: [ExplanationPages.templatesPage(figure, title: "Templates of \(command.model)")])
        return TemplatesReport(model: command.model, figure: figure, directory: directory.path)
    }

    // MARK: Nearest training images

    func nearest() throws -> NearestReport {
        let settings = try command.inspection.inspection()
        let prepared = try dataset()
        let testImages = prepared.images(prepared.split.test)
        let split = prepared.split, calibration = split.validation.isEmpty ? "test" : "validation"
        let heldImages = split.validation.isEmpty ? testImages : prepared.images(split.validation)
        let evidence: NearestEvidence
        var trainingIndices = prepared.split.train
        switch modelFile.model {
        case .nearestNeighbor(let classifier):
            evidence = try NearestEvidence(classifier: classifier, calibrationImages: heldImages, settings: settings)
            trainingIndices = Array(0..<classifier.labels.count)
        case .network(let network):
            evidence = try NearestEvidence(network: network, trainingImages: prepared.images(prepared.split.train),
                                           labels: prepared.labels(prepared.split.train), calibrationImages: heldImages, settings: settings)
        }
        let rates = try UnusualFlagRates(evidence, testImages: testImages)
        let inputs = try inputs()
        let found = try evidence.evidence(for: Tensor.stack(inputs.map(\.image)))
        let writer = try outputFolder()
        var body = "<p>Distances: \(HTML.escape(evidence.space)), \(evidence.metric.rawValue). An input is unusual when its nearest distance lies above \(String(format: "%.4g", evidence.unusualAbove)), the \(String(format: "%.0f", settings.unusualPercentile))th percentile of the \(calibration) images' nearest distances; it \(HTML.escape(rates.summary)).</p>"
        var items: [NearestReport.Item] = []
        for (input, evidence) in zip(inputs, found) {
            var figures = [Figure(picture: try Picture.image(input.image, alt: input.name), caption: input.name,
                                  details: [String(format: "percentile %.0f", evidence.percentile)],
                                  mark: evidence.unusual ? .flagged("unusual") : .plain)]
            var neighbors: [NearestReport.Neighbor] = []
            for near in evidence.neighbors {
                let datasetIndex = trainingIndices.indices.contains(near.trainingIndex) ? trainingIndices[near.trainingIndex] : near.trainingIndex
                neighbors.append(NearestReport.Neighbor(trainingIndex: datasetIndex, class: classes[near.label], distance: near.distance))
                if case .network = modelFile.model {
                    figures.append(Figure(picture: try Picture.image(prepared.data.images.slice(datasetIndex..<(datasetIndex + 1)).reshaped(Array(input.image.shape)), alt: classes[near.label]),
                                          caption: classes[near.label], details: [String(format: "d = %.3g", near.distance)]))
                }
            }
            body += PictureGrid.html(figures, heading: input.name)
            items.append(NearestReport.Item(image: input.name, neighbors: neighbors, percentile: evidence.percentile, unusual: evidence.unusual))
        }
        try writer.write(pages: [ReportPage(fileName: "index.html", title: "Nearest training images", body: body)])
        return NearestReport(model: command.model, space: evidence.space, metric: evidence.metric.rawValue,
                             unusualPercentile: settings.unusualPercentile, unusualAbove: evidence.unusualAbove,
                             calibration: calibration, flagRates: rates, items: items, directory: directory.path)
    }

    // MARK: Units and deconvnet projections

    func units(layer: String, projections: Bool) throws -> UnitsReport {
        let network = try network(for: projections ? "deconvnet" : "units")
        _ = try network.layerIndex(named: layer)
        let settings = try command.inspection.inspection()
        let prepared = try dataset()
        let images = prepared.images(prepared.split.train)
        let channels = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)][0]
        let units = try LayerUnits(network: network, layer: layer, images: images,
                                   units: Array(0..<min(command.inspection.maxUnits, channels)), settings: settings)
        let writer = try outputFolder()
        var body = "<p>The training images (or, for a convolutional layer, the image patches of the unit's receptive field) that excite each unit of \(HTML.escape(layer)) most"
            + (projections ? ", and below each patch its Zeiler–Fergus deconvnet projection to pixels.</p>" : ".</p>")
        var reportUnits: [UnitsReport.Unit] = []
        let projected = projections ? try units.projections(network: network, images: images) : []
        for (position, top) in units.units.enumerated() {
            var figures: [Figure] = []
            for (item, activation) in top.top.enumerated() {
                let image = images.slice(activation.imageIndex..<(activation.imageIndex + 1))
                let patch = activation.box.map { box in Self.crop(image, box) } ?? image
                figures.append(Figure(picture: try Picture.image(patch.reshaped(Array(patch.shape.dropFirst())), alt: "unit \(top.unit)"),
                                      caption: String(format: "%.2f", activation.value)))
                if projections, position < projected.count {
                    let map = projected[position].patch(projected[position].deconvnet, item: item)
                    let plane = map.reshaped(Array(map.shape.dropFirst()))
                    figures.append(Figure(picture: try Picture.map(plane, reduction: .sum,
                                                                   scale: MapScale.fitting([plane], kind: .signed), alt: "projection"),
                                          caption: "deconvnet"))
                }
            }
            body += PictureGrid.html(figures, heading: "\(layer) unit \(top.unit)")
            reportUnits.append(UnitsReport.Unit(unit: top.unit, top: top.top.map {
                UnitsReport.Activation(trainingIndex: prepared.split.train[$0.imageIndex], value: $0.value, y: $0.y, x: $0.x)
            }))
        }
        try writer.write(pages: [ReportPage(fileName: "index.html", title: "Units of \(layer)", body: body)])
        return UnitsReport(model: command.model, layer: layer, receptiveField: units.receptiveField?.size, imagesSearched: units.imageCount,
                           projections: projections, units: reportUnits, directory: directory.path)
    }

    /// `image` [1, C, H, W] cut to `box`.
    static func crop(_ image: Tensor, _ box: PatchBox) -> Tensor {
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        var scalars: [Float] = []
        scalars.reserveCapacity(channels * box.height * box.width)
        for c in 0..<channels {
            for y in box.top..<(box.top + box.height) {
                let start = (c * height + y) * width + box.left
                scalars += image.scalars[start..<(start + box.width)]
            }
        }
        return Tensor(shape: [1, channels, box.height, box.width], scalars: scalars)
    }

    // MARK: Trust checks

    func sanity() throws -> SanityRun {
        let settings = try command.inspection.trust(seed: command.seed, baseline: nil)
        let prepared = try dataset()
        let attribution = try command.attribution.settings(layer: command.layer, seed: command.seed)
        let context = AttributionContext(meanImage: prepared.images(prepared.split.train).meanOfItems())
        let testImages = prepared.images(prepared.split.test)
        let label = "sanity: model randomisation"
        let report = try TrustCheck.sanity(modelFile.model, testImages: testImages, settings: settings, attribution: attribution,
                                           context: context,
                                           progress: { fraction in if Terminal.isInteractive { Terminal.progress(fraction, label) } })
        finish(label)
        var dataRandomisation: DataRandomisationReport?
        if command.inspection.retrain {
            let network = try network(for: "sanity --retrain")
            let recipe = try DataRandomisation.recipe(for: modelFile)
            let sample = try TrustSample(choosingFrom: testImages, network: network, settings: settings)
            let validation = prepared.split.validation.isEmpty ? nil
                : (prepared.images(prepared.split.validation), prepared.labels(prepared.split.validation))
            dataRandomisation = try DataRandomisation.run(
                network, recipe: recipe, train: (prepared.images(prepared.split.train), prepared.labels(prepared.split.train)),
                validation: validation, sample: sample, settings: settings, attribution: attribution, context: context,
                progress: { step in Terminal.status("sanity: \(step)") })
        }
        let run = SanityRun(sanity: report, dataRandomisation: dataRandomisation)
        try writeJSONPage(run, title: "Sanity checks of \(command.model)")
        return run
    }

    func faithfulness() throws -> FaithfulnessReport {
        let settings = try command.inspection.trust(seed: command.seed, baseline: command.attribution.baseline)
        let prepared = try dataset()
        let attribution = try command.attribution.settings(layer: command.layer, seed: command.seed)
        let label = "faithfulness: deletion and insertion"
        let report = try TrustCheck.faithfulness(modelFile.model, testImages: prepared.images(prepared.split.test), settings: settings,
                                                 attribution: attribution, context: AttributionContext(meanImage: prepared.images(prepared.split.train).meanOfItems()),
                                                 progress: { fraction in if Terminal.isInteractive { Terminal.progress(fraction, label) } })
        finish(label)
        try writeJSONPage(report, title: "Faithfulness of \(command.model)'s maps")
        return report
    }

    /// The figures as a page (a table per method comes with the report's trust page; here the raw JSON, readable).
    private func writeJSONPage<T: Encodable>(_ report: T, title: String) throws {
        let text = try StudioJSON.text(report, pretty: true)
        let writer = try outputFolder()
        try writer.write(Data(text.utf8), to: "report.json")
        try writer.write(pages: [ReportPage(fileName: "index.html", title: title, body: "<pre>\(HTML.escape(text))</pre>")])
    }
}

/// Keeps the dataset a session loaded, so that each method reads it at most once.
private final class DataCache {
    var prepared: StudioDataset?
}

extension Tensor {
    /// The mean of the items along the first axis (the mean training image).
    func meanOfItems() -> Tensor {
        let count = shape.first ?? 0, itemShape = Array(shape.dropFirst()), itemSize = itemShape.reduce(1, *)
        var sum = [Double](repeating: 0, count: itemSize)
        for item in 0..<count {
            for i in 0..<itemSize { sum[i] += Double(scalars[item * itemSize + i]) }
        }
        return Tensor(shape: itemShape, scalars: sum.map { Float($0 / Double(max(count, 1))) })
    }
}
