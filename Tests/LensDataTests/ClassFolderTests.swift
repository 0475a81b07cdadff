import Foundation
import Testing
@testable import LensData
import LensTestSupport

@Suite struct ClassFolderTests {
    @Test func orlLoads400FacesOf40People() throws {
        let orl = try DatasetLoader.load(.orl, preprocessing: nil)
        #expect(orl.images.shape == [400, 1, 64, 64])
        #expect(orl.classNames.count == 40)
        #expect(orl.classNames.prefix(3) == ["s1", "s10", "s11"])  // byte order of the folder names
        #expect(orl.countsPerClass == [Int](repeating: 10, count: 40))
        #expect(orl.paths.first == "orl/s1/1.pgm" && orl.paths[1] == "orl/s1/10.pgm")
        #expect(orl.skipped.isEmpty && orl.predefinedSplit == nil)
        #expect(orl.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        let face = try Fixture.orlFace("s1/1.pgm")
        #expect(orl.images.slice(0..<1).scalars == Preprocessing(size: 64).apply(face).scalars)
    }

    @Test func orlInfoListsSizesWithoutPreprocessing() throws {
        let info = try DatasetLoader.info(.orl)
        #expect(info.name == "orl" && info.imageCount == 400 && info.classNames.count == 40)
        #expect(info.imageSizes == [ImageShapeCount(shape: ImageShape(width: 92, height: 112, channels: 1), count: 400)])
        #expect(info.imageSizes.first?.shape.description == "92x112 gray")
    }

    /// Classes b, a (+ hidden and non-image files) with PNG, JPEG and PGM of different sizes, one broken PNG.
    private func mixedFolder() throws -> ScratchFolder {
        let folder = try ScratchFolder()
        try folder.copyFixture("rgb.jpg", to: "b/photo.jpg")
        try folder.copyFixture("interlaced.png", to: "b/2.png")
        try folder.copyFixture("binary.pgm", to: "a/z.pgm")
        try folder.copyFixture("rgba.png", to: "a/Y.PNG")
        try folder.copyFixture("truncated.png", to: "a/broken.png")
        try folder.write("a/notes.txt", Data("not an image".utf8))
        try folder.write("a/.DS_Store", Data([0, 1, 2]))
        try folder.copyFixture("gray8.png", to: ".hidden/x.png")
        try folder.write("README.md", Data("# my data".utf8))
        return folder
    }

    @Test func folderOfMixedImagesLoadsSortedAndListsSkips() throws {
        let folder = try mixedFolder()
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: Preprocessing(size: 8))
        #expect(data.classNames == ["a", "b"])
        #expect(data.images.shape == [4, 1, 8, 8])
        #expect(data.labels == [0, 0, 1, 1])
        let names = data.paths.map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(names == ["Y.PNG", "z.pgm", "2.png", "photo.jpg"])  // "Y" < "z" < ... in byte order
        #expect(data.paths[0] == folder.url.appendingPathComponent("a/Y.PNG").path)
        #expect(data.skipped.count == 1)
        #expect(data.skipped.first?.path == folder.url.appendingPathComponent("a/broken.png").path)
        #expect(data.skipped.first?.reason.hasPrefix("corrupt or truncated PNG") == true)
    }

    @Test func folderInfoCountsSizesAndSkips() throws {
        let folder = try mixedFolder()
        let info = try DatasetLoader.info(.folder(folder.url))
        #expect(info.countsPerClass == [2, 2])
        #expect(info.imageSizes.count == 4)
        #expect(info.imageSizes.map(\.shape.description).contains("16x16 RGB"))
        #expect(info.skipped.map(\.reason).first?.hasPrefix("corrupt or truncated PNG") == true)
    }

    @Test func limitPerClassKeepsTheFirstFiles() throws {
        let folder = try mixedFolder()
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: nil, limitPerClass: 1)
        #expect(data.images.shape == [2, 1, 64, 64])
        #expect(data.paths.map { URL(fileURLWithPath: $0).lastPathComponent } == ["Y.PNG", "2.png"])
    }

    @Test func rgbPreprocessing() throws {
        let folder = try mixedFolder()
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: Preprocessing(size: 5, channels: 3))
        #expect(data.images.shape == [4, 3, 5, 5])
    }

    // MARK: bad input, each with its message

    /// Classes a and b with one good PNG each.
    private func twoClassFolder() throws -> ScratchFolder {
        let folder = try ScratchFolder()
        try folder.copyFixture("gray8.png", to: "a/1.png")
        try folder.copyFixture("gray8.png", to: "b/1.png")
        return folder
    }

    @Test func nonexistentPath() {
        #expect(errorMessage { try DatasetLoader.load(.folder(URL(fileURLWithPath: "/no/such/photos")), preprocessing: nil) }
            == "/no/such/photos: no such file or folder")
        #expect(errorMessage { try DatasetLoader.info(.folder(URL(fileURLWithPath: "/no/such/photos"))) }
            == "/no/such/photos: no such file or folder")
    }

    @Test func fileInsteadOfFolder() {
        let file = Fixture.url("gray8.png")
        #expect(errorMessage { try DatasetLoader.load(.folder(file), preprocessing: nil) }
            == "\(file.path): not a folder (a dataset is a folder with one subfolder of images per class)")
    }

    @Test func fewerThanTwoClasses() throws {
        let folder = try ScratchFolder()
        try folder.copyFixture("gray8.png", to: "cats/1.png")
        #expect(errorMessage { try DatasetLoader.load(.folder(folder.url), preprocessing: nil) }
            == "\(folder.url.path): needs at least two class subfolders (one per class, images inside), found 1: cats")
    }

    @Test func emptyClassFolder() throws {
        let folder = try ScratchFolder()
        try folder.copyFixture("gray8.png", to: "cats/1.png")
        try folder.makeFolder("dogs")
        try folder.write("owls/readme.txt", Data("no pictures".utf8))
        #expect(errorMessage { try DatasetLoader.load(.folder(folder.url), preprocessing: nil) }
            == "\(folder.url.path): class folders dogs, owls contain no PNG, JPEG or PGM files")
    }

    @Test func zeroByteFileIsSkippedWithReason() throws {
        let folder = try twoClassFolder()
        try folder.write("b/0.png", Data())
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: nil)
        #expect(data.count == 2)
        #expect(data.skipped == [SkippedFile(path: folder.url.appendingPathComponent("b/0.png").path, reason: "file is empty (0 bytes)")])
    }

    @Test func imageExtensionOnATextFileIsSkippedWithReason() throws {
        let folder = try twoClassFolder()
        try folder.copyFixture("not-an-image.png", to: "b/2.jpg")
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: nil)
        #expect(data.skipped.map(\.description)
            == ["\(folder.url.path)/b/2.jpg: not a PNG, JPEG or PGM image (it starts with bytes 48 65 6c 6c 6f 2c 20 49)"])
    }

    @Test func strictModeTurnsASkipIntoAnError() throws {
        let folder = try twoClassFolder()
        try folder.copyFixture("truncated.jpg", to: "b/2.jpg")
        #expect(throws: Never.self) { try DatasetLoader.load(.folder(folder.url), preprocessing: nil) }
        let message = errorMessage { try DatasetLoader.load(.folder(folder.url), preprocessing: nil, strict: true) }
        #expect(message == "1 file could not be used (strict mode): \(folder.url.path)/b/2.jpg: "
            + "corrupt or truncated JPEG (Premature end of JPEG file)")
    }

    @Test func classWhereNothingDecodes() throws {
        let folder = try ScratchFolder()
        try folder.copyFixture("gray8.png", to: "a/1.png")
        try folder.copyFixture("empty.png", to: "b/1.png")
        #expect(errorMessage { try DatasetLoader.load(.folder(folder.url), preprocessing: nil) }
            == "\(folder.url.path): no image could be decoded in class folder b (first failure: \(folder.url.path)/b/1.png: file is empty (0 bytes))")
    }

    @Test func imagesOutsideClassFoldersAreListed() throws {
        let folder = try twoClassFolder()
        try folder.copyFixture("gray8.png", to: "stray.png")
        let data = try DatasetLoader.load(.folder(folder.url), preprocessing: nil)
        #expect(data.skipped.map(\.reason) == ["image is not inside a class subfolder"])
    }

    @Test func invalidSizeIsAnError() {
        #expect(errorMessage { try DatasetLoader.load(.orl, preprocessing: Preprocessing(size: 0)) }
            == "invalid preprocessing: image size 0 is outside 1...1024")
    }
}
