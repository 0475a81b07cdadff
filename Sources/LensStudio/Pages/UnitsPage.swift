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
        var body = """
        <p class=lecture>What a unit of a convolutional layer responds to (Zeiler &amp; Fergus 2014): every training image
        is run through the \(HTML.escape(name)); for each unit (a channel of the layer) the \(InspectionSettings().topImages)
        images whose strongest response is largest are kept, and the patch of the image that position sees (its
        receptive field, worked out from the architecture) is shown. Under each patch: that activation projected back to
        pixels with the deconvnet (ReLUs pass max(R, 0) backwards, max-pools route by their switches, convolutions by
        their transposed filters), red where the pixels raise the unit, blue where they lower it, one scale per unit.
        Deeper layers see larger patches and respond to larger parts of the face.</p>
        """
        guard !layers.isEmpty else {
            return ReportPage(fileName: "units.html", title: "Units", body: body + "<p>This model has no convolutional layer.</p>")
        }
        body += "<p>Layers: " + layers.map { "<a href=\"#units-\($0)\">\(HTML.escape($0))</a>" }.joined(separator: " · ") + "</p>"
        for layer in layers {
            progress("units of \(layer)")
            let channels = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)][0]
            let chosen = Array(0..<min(channels, budget.unitsPerLayer))
            var settings = InspectionSettings()
            settings.topImages = min(settings.topImages, data.trainImages.shape.first ?? 1)
            let units = try LayerUnits(network: network, layer: layer, images: data.trainImages, units: chosen, settings: settings)
            let field = units.receptiveField
            body += "<h2 id=\"units-\(HTML.escape(layer))\">\(HTML.escape(layer)): \(chosen.count) of \(channels) units</h2>"
            if let field {
                body += "<p class=note>Receptive field \(field.size)×\(field.size) pixels (stride \(field.jump)); patches at the border are cut by it.</p>"
            }
            for projection in try units.projections(network: network, images: data.trainImages) {
                let patches = projection.activations.indices.map { projection.patch(projection.images, item: $0).dropFirstAxis() }
                let maps = projection.activations.indices.map { projection.patch(projection.deconvnet, item: $0).dropFirstAxis() }
                let scale = MapScale.fitting(try maps.map { try ChannelReduction.sum.reduce($0) }, kind: .signed)
                // Every patch of a layer drawn at one size (about 72 px for the whole field), border-cut ones smaller.
                let factor = max(1, (72 + (field?.size ?? 72) - 1) / max(field?.size ?? 72, 1))
                let figures = try projection.activations.enumerated().map { index, activation in
                    let patch = try Picture.image(patches[index], alt: "patch of training image \(activation.imageIndex)", magnification: factor)
                    let map = try Picture.map(maps[index], reduction: .sum, scale: scale,
                                              alt: "deconvnet projection of unit \(projection.unit) in image \(activation.imageIndex)",
                                              magnification: factor)
                    return Figure(picture: Picture(html: "<div class=pair-row>" + patch.html + map.html + "</div>"),
                                  caption: data.classNames[data.trainLabels[activation.imageIndex]],
                                  details: ["a = " + MapNumber.format(activation.value)])
                }
                body += PictureGrid.html(figures, heading: "\(layer) unit \(projection.unit)")
            }
        }
        return ReportPage(fileName: "units.html", title: "Units", body: body)
    }
}

extension Tensor {
    /// [1, ...] to [...].
    func dropFirstAxis() -> Tensor { reshaped(Array(shape.dropFirst())) }
}
