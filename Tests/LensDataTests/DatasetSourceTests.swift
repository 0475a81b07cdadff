import Foundation
import Testing
@testable import LensData

@Suite struct DatasetSourceTests {
    @Test func namesAndArguments() {
        #expect(DatasetSource(argument: "orl") == .orl)
        #expect(DatasetSource(argument: "fashion-mnist") == .fashionMNIST(directory: URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")))
        #expect(DatasetSource(argument: "/data/pets") == .folder(URL(fileURLWithPath: "/data/pets")))
        #expect(DatasetSource(argument: "/data/pets").name == "/data/pets")
        #expect(DatasetSource.orl.name == "orl")
        #expect(DatasetSource(argument: "fashion-mnist").name == "fashion-mnist")
    }

    @Test func aFolderOfIDXFilesIsFashionMNIST() {
        let path = Fixture.url("idx-good").path
        let source = DatasetSource(argument: path)
        #expect(source == .fashionMNIST(directory: URL(fileURLWithPath: path)))
        #expect(DatasetSource(argument: source.name) == source)
    }

    @Test func defaults() {
        #expect(DatasetLoader.defaultPreprocessing(for: .orl) == Preprocessing(size: 64, channels: 1))
        #expect(DatasetLoader.defaultPreprocessing(for: DatasetSource(argument: "fashion-mnist")).size == 28)
        #expect(DatasetLoader.defaultPreprocessing(for: .folder(URL(fileURLWithPath: "/x"))).size == 64)
        #expect(DatasetLoader.defaultSplitPlan(for: .orl) == .orl)
        #expect(DatasetLoader.defaultSplitPlan(for: .folder(URL(fileURLWithPath: "/x"))) == .folder)
    }
}
