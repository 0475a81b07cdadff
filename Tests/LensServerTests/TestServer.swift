import Foundation
import LensData
import LensModels
import LensServer
import LensStudio
import LensTestSupport

/// One live server for the suite, on a free loopback port, serving small models trained on ORL
/// when the suite starts (a softmax, an MLP, a 1-NN and a small CNN), with an upload cap of 100 kB.
struct TestServer: Sendable {
    static let maxUpload = 100_000
    static let shared = Task { try await TestServer() }

    let http: RawHTTP
    let library: ModelLibrary
    let directory: URL
    let dataset: StudioDataset

    private init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lens-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        dataset = try StudioDataset(source: .orl, preprocessing: DatasetLoader.defaultPreprocessing(for: .orl))
        library = ModelLibrary(directory: directory)
        for (name, kind, epochs) in [("softmax", ModelKind.softmax, 8), ("mlp", .mlp, 4), ("knn", .knn, 1), ("cnn", .cnn, 1)] {
            var recipe = ModelRecipe.defaults(for: kind, trainingCount: dataset.split.train.count)
            recipe.options.epochs = epochs
            recipe.hidden = kind == .mlp ? [24] : nil
            recipe.compactArchitecture = kind == .cnn ? Self.cnnArchitecture : nil
            let model = try recipe.train(train: dataset.trainingSet, validation: dataset.validationSet,
                                         classNames: dataset.data.classNames, preprocessing: dataset.preprocessing,
                                         dataset: "orl", split: dataset.plan, datasetCount: dataset.data.labels.count)
            library.add(model, id: name)
        }
        library.setTrainingData(dataset)
        let port = try await Self.start(library: library, configuration: ServerConfiguration(port: 0, maxUpload: Self.maxUpload))
        http = RawHTTP(port: port)
    }

    /// Starts a server over `library` (for the rest of the test process) and returns its port. The
    /// server runs on threads of its own, so the suite's long synchronous tests do not starve it.
    static func start(library: ModelLibrary, configuration: ServerConfiguration) async throws -> Int {
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Int, Error>) in
            Task(executorPreference: DedicatedExecutor.servers) {
                do {
                    try await StudioServer.run(library: library, configuration: configuration) { port in started.resume(returning: port) }
                } catch {
                    started.resume(throwing: error)
                }
            }
        }
    }

    /// The test CNN: two conv blocks (4 and 8 channels) and a hidden dense layer of 16 units.
    static let cnnArchitecture = "conv3x3x4,pool,conv3x3x8,pool,fc16"

    /// An ORL face file as it is on disk (PGM), the way a user would upload it.
    static func faceFile(person: Int = 1, image: Int = 1) throws -> Data {
        try EmbeddedORL.file("s\(person)/\(image).pgm")
    }

    /// The overview of `model`, waiting for its background evaluation.
    func overview(_ model: String) async throws -> RawHTTP.Answer {
        try await Self.settle(http, "GET", "/api/overview?model=\(model)")
    }

    /// How long a test waits for what the server computes in the background at low priority:
    /// seconds on a quiet machine, minutes while the rest of the suite holds both cores.
    static let backgroundLimit = Duration.seconds(900)

    /// Sends the request again every 100 ms while `pending` holds of its answer (202 "computing" by
    /// default), for at most `backgroundLimit`; returns the last answer.
    static func settle(_ http: RawHTTP, _ method: String, _ path: String, body: Data? = nil,
                       while pending: (RawHTTP.Answer) throws -> Bool = { $0.status == 202 }) async throws -> RawHTTP.Answer {
        let asked = ContinuousClock.now
        var answer = try await http.send(method, path, body: body)
        while try pending(answer), ContinuousClock.now - asked < backgroundLimit {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await http.send(method, path, body: body)
        }
        return answer
    }
}
