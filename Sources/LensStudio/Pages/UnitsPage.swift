import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// Zeiler & Fergus's picture of a CNN: for each conv layer's output, its first units, each with
    /// the training-image patches that excite it most and their deconvnet projections.
    public static func unitsPage(_ network: Network, name: String, data: PageData, budget: PageBudget,
                                 progress: (String) -> Void = { _ in }) throws -> ReportPage {
        let layers = unitLayers(of: network.architecture)
        var body = unitsIntro(name: name, onFaces: data.onFaces)
        guard !layers.isEmpty else {
            return ReportPage(fileName: "units.html", title: "Units", body: body + "<p>This model has no convolutional layer.</p>")
        }
        body += "<p>Layers: " + layers.map { "<a href=\"#units-\($0)\">\(HTML.escape($0))</a>" }.joined(separator: " · ") + "</p>"
        for layer in layers {
            progress("units of \(layer)")
            // one search of the layer: the units figure's top images are the feature visualisation's
            var search = InspectionSettings()
            search.topImages = min(search.topImages, max(data.trainImages.shape.first ?? 1, 1))
            let found = try LayerUnits(network: network, layer: layer, images: data.trainImages, settings: search)
            let figure = try UnitsFigure(model: name, network: network, found: found, images: data.trainImages, labels: data.trainLabels,
                                         classNames: data.classNames, described: "the training images",
                                         limit: budget.unitsPerLayer)
            progress("feature visualisation of \(figure.units.count) units of \(layer)")
            let synthetic = try unitFeatureVis(network, name: name, figure: figure, found: found, data: data, settings: budget.featureVis)
            body += "<h2 id=\"units-\(HTML.escape(layer))\">\(HTML.escape(layer)): the first \(figure.units.count) of \(figure.layer.units) units that fire</h2>"
            body += unitsSection(figure, featureVis: synthetic)
        }
        return ReportPage(fileName: "units.html", title: "Units", body: body)
    }

    /// The page's two paragraphs: what a unit's patches and its feature visualisation show, in
    /// words that fit the data (faces or not).
    static func unitsIntro(name: String, onFaces: Bool) -> String {
        """
        <p class=lecture>What a unit of a convolutional layer responds to (Zeiler &amp; Fergus 2014): every training image
        is run through the \(HTML.escape(name)); for each unit (a channel of the layer) the \(InspectionSettings().topImages)
        images whose strongest response is largest are kept, and the patch of the image that position sees (its
        receptive field, worked out from the architecture) is shown. Under each patch: that activation projected back to
        pixels with the deconvnet (ReLUs pass max(R, 0) backwards, max-pools route by their switches, convolutions by
        their transposed filters), red where the pixels raise the unit, blue where they lower it, one scale per unit.
        Deeper layers see larger patches and respond to larger parts of \(onFaces ? "the face" : "the object").</p>
        <p class=lecture>First in each row, framed: the image gradient ascent makes to excite the unit most (feature
        visualisation, Olah et al. 2017: the channel's mean over the whole image, so the pattern repeats where it can),
        drawn the size of the patches; people learn about as much from it as from the
        natural patches (Zimmermann et al. 2021). Under it, how far it gets as a multiple of the unit's top natural
        activation, and the path check (Geirhos et al. 2023): whether its activations at the earlier layers rank-correlate
        more with those of the unit's top natural images than with random ones ("natural path"), or it excites the unit
        along another path, which the natural images never take.</p>
        """
    }

    /// The one HTML writer of a units figure (the report's units page, `lens explain --method units`):
    /// per unit, each top patch beside its deconvnet projection, with its class and activation.
    /// Each drawn unit's feature visualisation (by unit number), checked against the top training
    /// images `found` (the search `figure` was drawn from).
    public static func unitFeatureVis(_ network: Network, name: String, figure: UnitsFigure, found: LayerUnits, data: PageData,
                                      settings: FeatureVisSettings) throws -> [Int: FeatureVisFigure] {
        var result: [Int: FeatureVisFigure] = [:]
        let indices = Array(0..<data.trainLabels.count)
        for unit in figure.units {
            let objective = try FeatureObjective.unit(unit.unit, of: figure.layer.name, in: network)
            guard let natural = found.units.first(where: { $0.unit == unit.unit }) else {
                throw StudioError(.failed, "the search of \(figure.layer.name) kept no unit \(unit.unit)")
            }
            let report = try FeatureVisReport(network: network, objective: objective, natural: natural, naturalImages: data.trainImages,
                                              settings: settings)
            result[unit.unit] = try FeatureVisFigure(report, model: name, network: network, images: data.trainImages, labels: data.trainLabels,
                                                     classNames: data.classNames, datasetIndices: indices, searched: figure.images,
                                                     settings: settings, naturalPatches: false)
        }
        return result
    }

    public static func unitsSection(_ figure: UnitsFigure, projections: Bool = true, featureVis: [Int: FeatureVisFigure] = [:]) -> String {
        var html = unitActivity(figure)
        if let field = figure.layer.receptiveField {
            html += "<p class=note>Receptive field \(field)×\(field) pixels; patches at the border are cut by it. "
                + "Found in \(HTML.escape(figure.images)). Colours: \(HTML.escape(figure.scaleRule)).</p>"
        } else {
            html += "<p class=note>Found in \(HTML.escape(figure.images)). Colours: \(HTML.escape(figure.scaleRule)).</p>"
        }
        // Every patch of a layer drawn at one size (about 72 px for the whole field), border-cut ones smaller.
        let side = figure.layer.receptiveField ?? figure.units.first?.activations.first?.patchSize.max() ?? 72
        let factor = max(1, (72 + side - 1) / max(side, 1))
        for unit in figure.units {
            let figures = unit.activations.map { activation -> Figure in
                let (height, width) = (activation.patchSize.first ?? 1, activation.patchSize.last ?? 1)
                let (w, h) = (width * factor, height * factor)
                var pictures = [Picture.dataURI(activation.patch, width: w, height: h, alt: "patch of image \(activation.datasetIndex)")]
                if projections {
                    pictures.append(activation.deconvnet.picture(width: w, height: h,
                                                                 alt: "deconvnet projection of unit \(unit.unit) in image \(activation.datasetIndex)"))
                }
                return Figure(picture: Picture(html: "<div class=pair-row>" + pictures.map(\.html).joined() + "</div>"),
                              caption: activation.class, details: ["a = " + MapNumber.format(activation.value)])
            }
            // the synthetic image is cut to the field of the position it climbs: drawn as a whole patch is
            let drawn = featureVis[unit.unit]?.field != nil ? side * factor : 72
            let synthetic = featureVis[unit.unit]?.images.map { image -> Figure in
                let natural = image.badge == PathCheck.Verdict.naturalPath.rawValue
                // a flagged card's frame already names its badge: the caption then gives the figures alone
                return Figure(picture: Picture(html: "<div class=pair-row>" + Picture.dataURI(image.image, width: drawn, height: drawn,
                                                                                        alt: "feature visualisation of unit \(unit.unit)").html + "</div>"),
                              caption: "synthetic", details: [image.ratioWords, natural ? image.pathWords : image.pathFigures],
                              mark: natural ? .plain : .flagged(image.badge), wideCaption: true)
            } ?? []
            let rare = unit.activity == .rare ? " (rare: \(unit.activityWords))" : ""
            html += PictureGrid.html(synthetic + figures, heading: "\(figure.layer.name) unit \(unit.unit)\(rare)")
        }
        return html
    }

    /// The layer's dead and rare units, counted and listed apart from the units drawn.
    static func unitActivity(_ figure: UnitsFigure) -> String {
        func list(_ units: [Int]) -> String {
            let shown = units.prefix(40).map(String.init).joined(separator: ", ")
            return units.count > 40 ? shown + " … (\(units.count) in all)" : shown
        }
        var html = "<div class=\"card unit-activity\"><p><b>\(HTML.escape(figure.activitySummary))</b> "
            + "A unit fires on an image when its strongest activation there is above zero; a dead unit passes nothing to the "
            + "next layer on these images, so it has no top images to show. Rare: fewer than "
            + "\(String(format: "%g", UnitActivity.rareFraction * 100))% of the images.</p>"
        if !figure.dead.isEmpty { html += "<p class=note>Dead units: \(list(figure.dead)).</p>" }
        if !figure.rare.isEmpty { html += "<p class=note>Rare units: \(list(figure.rare)).</p>" }
        return html + "</div>"
    }
}

extension Tensor {
    /// [1, ...] to [...].
    func dropFirstAxis() -> Tensor { reshaped(Array(shape.dropFirst())) }
}
