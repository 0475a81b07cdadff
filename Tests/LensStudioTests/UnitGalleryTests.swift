import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// The Units page's layers, the images a gallery searches, and its thumbnails' geometry.
@Suite struct UnitGalleryTests {
    @Test func layersAreEachBlocksOutputButTheOutputLayers() throws {
        let architecture = try Architecture.parse("conv3x3x4,pool,drop0.25,conv3x3x8,drop0.5,fc16,drop0.5,fc8",
                                                        inputShape: [1, 16, 16], classes: 3)
        let layers = UnitLayer.all(in: architecture)
        let names = architecture.layerNames
        // Block ends: the pool after conv1 (not the dropout after it), conv2's ReLU, fc1's ReLU.
        #expect(layers.map(\.kind) == [.convolutional, .convolutional, .dense, .dense])
        #expect(layers.map(\.units) == [4, 8, 16, 8])
        for layer in layers {
            let index = try #require(names.firstIndex(of: layer.name))
            #expect(architecture.layers[index].operation == .relu || architecture.layers[index].operation == .maxPool2d(kernel: 2, stride: 2),
                    "\(layer.name) is a ReLU or a pool, never a dropout")
        }
        #expect(layers.map(\.receptiveField) == [4, 8, nil, nil])
        // Softmax regression: one weighted layer, the output; nothing to inspect.
        #expect(UnitLayer.all(in: try Architecture(inputShape: [1, 8, 8], layers: [.flatten(), .linear(in: 64, out: 3)])).isEmpty)
    }

    @Test func aBatchNormBelongsToTheBlockOfTheLayerItNormalises() throws {
        let architecture = try Architecture.parse("conv3x3x4,bn,pool,conv3x3x8,bn,fc16,bn", inputShape: [1, 16, 16], classes: 3)
        let layers = UnitLayer.all(in: architecture)
        // One layer per conv or fc, each its block's last (the pool, the ReLUs), never a conv before its normalisation.
        #expect(layers.map(\.units) == [4, 8, 16], "\(layers.map(\.name))")
        let names = architecture.layerNames
        for layer in layers {
            let index = try #require(names.firstIndex(of: layer.name))
            #expect([.relu, .maxPool2d(kernel: 2, stride: 2)].contains(architecture.layers[index].operation), "\(layer.name)")
        }
    }

    @Test func searchedImagesAreSpreadOverTheWholeSplit() {
        let split = Array(stride(from: 0, to: 5000, by: 2))
        let chosen = UnitSearch.spread(split, limit: 1000)
        #expect(chosen.count == 1000 && Set(chosen).count == 1000 && Set(chosen).isSubset(of: Set(split)))
        #expect(chosen.first == 0 && (chosen.last ?? 0) >= 4990, "from the start of the split to its end")
        #expect(UnitSearch.spread([4, 7, 9], limit: 1000) == [4, 7, 9])
    }

    @Test func aBorderCutPatchKeepsItsPlaceInTheReceptiveField() {
        // A 6x6 image whose pixel (y, x) holds 10y + x; a 4x4 field reaching 2 pixels past the top-left corner.
        let image = Tensor(shape: [1, 1, 6, 6], scalars: (0..<36).map { Float(10 * ($0 / 6) + $0 % 6) })
        let box = PatchBox(fullTop: -2, fullLeft: -2, fullSize: 4, imageHeight: 6, imageWidth: 6)
        let cell = UnitThumbnail.cell(image, box: box)
        #expect(cell.shape == [1, 4, 4])
        let p = UnitThumbnail.padding
        #expect(cell.scalars == [p, p, p, p,
                                 p, p, p, p,
                                 p, p, 0, 1,
                                 p, p, 10, 11])
    }

    @Test func wideImagesAreAveragedDownAndMosaicsSeparated() {
        // A dense unit's whole 64x64 image becomes 32x32, each pixel the mean of a 2x2 block.
        let image = Tensor(shape: [1, 1, 64, 64], scalars: (0..<4096).map { Float($0 % 2) })
        let cell = UnitThumbnail.cell(image, box: nil)
        #expect(cell.shape == [1, 32, 32] && cell.scalars.allSatisfy { $0 == 0.5 })
        // An odd side: the edge block averages what it holds.
        let odd = UnitThumbnail.shrunk(Tensor(shape: [1, 3, 3], scalars: [1, 1, 4, 1, 1, 4, 7, 7, 9]), by: 2)
        #expect(odd.shape == [1, 2, 2] && odd.scalars == [1, 4, 7, 9])
        // Three 2x2 cells: two rows of two, one-pixel lines between, the empty place left as a line.
        let cells = (1...3).map { Tensor(shape: [1, 2, 2], repeating: Float($0) / 10) }
        let mosaic = UnitThumbnail.mosaic(cells)
        #expect(mosaic.shape == [1, 5, 5])
        let s = UnitThumbnail.separator
        #expect(mosaic.scalars == [0.1, 0.1, s, 0.2, 0.2,
                                   0.1, 0.1, s, 0.2, 0.2,
                                   s, s, s, s, s,
                                   0.3, 0.3, s, s, s,
                                   0.3, 0.3, s, s, s])
    }
}
