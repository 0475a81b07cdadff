import Foundation
import Testing
@testable import LensData
import LensTestSupport

@Suite struct FashionMNISTTests {
    private let good = DatasetSource.fashionMNIST(directory: Fixture.url("idx-good"))

    @Test func tinyIDXSetLoadsAtNativeSize() throws {
        let data = try DatasetLoader.load(good, preprocessing: nil)
        #expect(data.images.shape == [40, 1, 4, 4])
        #expect(Array(data.labels.prefix(2)) == [9, 0])
        #expect(data.classNames[9] == "Ankle boot" && data.classNames.count == 10)
        #expect(data.paths[0] == "fashion-mnist/train/0" && data.paths[39] == "fashion-mnist/test/9")
        let first = try #require(Fixture.expected["idx-good/train[0]"])
        #expect(data.images.slice(0..<1).scalars == first.pixels.map { Float($0) / 255 })
        let last = try #require(Fixture.expected["idx-good/test[9]"])
        #expect(data.images.slice(39..<40).scalars == last.pixels.map { Float($0) / 255 })
    }

    @Test func officialTestPartAndSeededValidation() throws {
        let data = try DatasetLoader.load(good, preprocessing: nil)
        let split = try #require(data.predefinedSplit)
        #expect(split.test == Array(30..<40))
        #expect(split.validation.count == 10)  // 10% of 3 per class rounds up to one of each
        #expect(Set(split.validation.map { data.labels[$0] }).count == 10)
        #expect((split.train + split.validation).sorted() == Array(0..<30))
        #expect(try DatasetLoader.load(good, preprocessing: nil).predefinedSplit == split)
    }

    @Test func resizedAndRGB() throws {
        let data = try DatasetLoader.load(good, preprocessing: Preprocessing(size: 2, channels: 3))
        #expect(data.images.shape == [40, 3, 2, 2])
        let pixels = try #require(Fixture.expected["idx-good/train[0]"]).pixels.map { Float($0) / 255 }
        let topLeft = (pixels[0] + pixels[1] + pixels[4] + pixels[5]) / 4
        #expect(abs(data.images.scalars[0] - topLeft) < 1e-6)
        #expect(data.images.scalars[4] == data.images.scalars[0] && data.images.scalars[8] == data.images.scalars[0])
    }

    @Test func limitPerClassKeepsTheOfficialRatio() throws {
        let data = try DatasetLoader.load(good, preprocessing: nil, limitPerClass: 1)
        #expect(data.count == 20)  // one per class from train, one per class from test
        #expect(data.predefinedSplit?.test == Array(10..<20))
        #expect(Set(data.labels.prefix(10)) == Set(0..<10))
    }

    @Test func info() throws {
        let info = try DatasetLoader.info(good)
        #expect(info.imageCount == 40 && info.countsPerClass == [Int](repeating: 4, count: 10))
        #expect(info.imageSizes.map(\.shape.description) == ["4x4 gray"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: DatasetSource.defaultFashionMNISTDirectory.path)))
    func realFashionMNIST() throws {
        let data = try DatasetLoader.load(.fashionMNIST(directory: DatasetSource.defaultFashionMNISTDirectory), preprocessing: nil)
        #expect(data.images.shape == [70000, 1, 28, 28])
        #expect(data.labels[0] == 9 && data.classNames[data.labels[0]] == "Ankle boot")
        #expect(data.labels[60000] == 9)  // the first test image is an ankle boot too
        #expect(data.countsPerClass == [Int](repeating: 7000, count: 10))
        let split = try #require(data.predefinedSplit)
        #expect(split.test == Array(60000..<70000))
        #expect(split.validation.count == 6000 && split.train.count == 54000)
        let firstHundred = data.images.slice(0..<100).scalars  // (all 55M would be slow in a debug build)
        #expect(firstHundred.max() == 1 && firstHundred.min() == 0)
    }

    // MARK: bad input

    @Test func truncatedIDX() {
        let path = Fixture.url("idx-truncated/train-images-idx3-ubyte.gz").path
        #expect(errorMessage { try DatasetLoader.load(.fashionMNIST(directory: Fixture.url("idx-truncated")), preprocessing: nil) }
            == "\(path): truncated: the header promises 30x4x4 = 480 bytes of data, found 380")
    }

    @Test func wrongMagicIDX() {
        let path = Fixture.url("idx-wrong-magic/t10k-labels-idx1-ubyte.gz").path
        #expect(errorMessage { try DatasetLoader.info(.fashionMNIST(directory: Fixture.url("idx-wrong-magic"))) }
            == "\(path): wrong magic number 2051 (expected 2049 for an IDX label file)")
    }

    @Test func truncatedGzipStream() throws {
        let folder = try ScratchFolder()
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try folder.copyFixture("idx-good/\(name)", to: name)
        }
        let compressed = try Fixture.data("idx-good/train-images-idx3-ubyte.gz")
        try folder.write("train-images-idx3-ubyte.gz", compressed.prefix(compressed.count - 30))
        let message = errorMessage { try DatasetLoader.load(.fashionMNIST(directory: folder.url), preprocessing: nil) }
        #expect(message?.hasPrefix("\(folder.url.path)/train-images-idx3-ubyte.gz: gzip data is truncated") == true, "\(message ?? "no error")")
    }

    /// Found by fuzzing: a 42-byte gzip whose trailer claims 4 GB made the first buffer 1 GB.
    @Test func gzipTrailerIsBelievedOnlyAsFarAsDeflateCanExpand() throws {
        #expect(Gzip.initialCapacity(compressedBytes: 42, claimedSize: 0xFFFF_FFFF) == 1 << 16)
        #expect(Gzip.initialCapacity(compressedBytes: 30_000_000, claimedSize: 47_040_016) == 47_040_016)
        #expect(Gzip.initialCapacity(compressedBytes: 10_000_000, claimedSize: 0xFFFF_FFFF) == 1 << 30)
        var lying = [UInt8](try Fixture.data("idx-good/train-labels-idx1-ubyte.gz"))
        lying.replaceSubrange((lying.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0xFF])
        let message = errorMessage { try Gzip.decompress(Data(lying), path: "x.gz") }
        #expect(message == "x.gz: corrupt gzip data (incorrect length check)")
    }

    @Test func missingIDXFile() throws {
        let folder = try ScratchFolder()
        try folder.copyFixture("idx-good/train-images-idx3-ubyte.gz", to: "train-images-idx3-ubyte.gz")
        #expect(errorMessage { try DatasetLoader.load(.fashionMNIST(directory: folder.url), preprocessing: nil) }
            == "\(folder.url.path)/train-labels-idx1-ubyte.gz: missing (expected Fashion-MNIST's train-labels-idx1-ubyte.gz; "
            + "on Debian/Ubuntu: apt-get install dataset-fashion-mnist)")
    }

    @Test func nonexistentDirectory() {
        #expect(errorMessage { try DatasetLoader.load(.fashionMNIST(directory: URL(fileURLWithPath: "/no/fmnist")), preprocessing: nil) }
            == "/no/fmnist: no such file or folder")
    }
}
