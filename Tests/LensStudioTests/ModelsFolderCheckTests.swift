import Foundation
import LensData
import LensModels
import LensStudio
import Testing
import LensTestSupport

/// The web app's writes go through the same output check as the CLI's: a training job into a
/// models folder that is a file, or a demo model over a file that is not a model, is refused in
/// words before any training, and the file is left as it was.
@Suite("The models folder is checked like every other output")
struct ModelsFolderCheckTests {
    @Test("a training job whose models folder is a file is refused in one line, before it starts")
    func modelsFolderIsAFile() throws {
        let scratch = try ScratchFolder()
        let file = try scratch.write("models", Data("not a folder".utf8))
        let library = ModelLibrary(directory: URL(fileURLWithPath: file))
        library.setTrainingData(try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 8, channels: 1)))
        do {
            try library.startTraining(TrainingRequest(kind: .softmax, epochs: 1))
            Issue.record("a training job started with a file as its models folder")
        } catch let error as StudioError {
            #expect(error.description == "the models folder \(file) is a file, not a folder; give a folder for the models")
            #expect(error.kind == .invalidInput)
        }
        #expect(!library.runner.isRunning)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("not a folder".utf8))
    }

    @Test("the demo's model name holding someone's file is not replaced")
    func demoModelOverAFile() throws {
        let scratch = try ScratchFolder()
        let folder = URL(fileURLWithPath: try scratch.makeFolder("models"))
        let mine = DemoModels.file(DemoModels.served[0].name, in: folder)
        try Data("my notes".utf8).write(to: mine)
        let library = ModelLibrary(directory: folder)
        #expect(throws: StudioError.self) { try DemoModels.prepare(in: folder, library: library) }
        #expect(try Data(contentsOf: mine) == Data("my notes".utf8))
        #expect(library.state.models.isEmpty)
    }
}
