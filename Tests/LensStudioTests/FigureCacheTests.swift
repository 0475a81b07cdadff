import Foundation
import LensModels
@testable import LensStudio
import LensTensor
import LensTestSupport
import Testing

/// Trust figures survive a restart through the user's cache folder; the cache only ever saves time.
@Suite struct FigureCacheTests {
    struct Figure: Codable, Equatable { var value: Double }

    /// A cache in a scratch folder, a stand-in model file, and a counter of computations.
    final class Counter: @unchecked Sendable {
        var count = 0
        func compute(_ value: Double) -> Figure { count += 1; return Figure(value: value) }
    }

    @Test func theUsersCacheFolderFollowsXDG() {
        #expect(FigureCache.user(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]).directory?.path == "/x/cache/neurallens/figures")
        #expect(FigureCache.user(environment: ["HOME": "/home/u"]).directory?.path == "/home/u/.cache/neurallens/figures")
        // A relative XDG_CACHE_HOME is invalid by the specification and ignored.
        #expect(FigureCache.user(environment: ["XDG_CACHE_HOME": "cache", "HOME": "/home/u"]).directory?.path == "/home/u/.cache/neurallens/figures")
        #expect(FigureCache.user(environment: [:]).directory == nil)
    }

    @Test func aSecondRunReadsTheFigureInsteadOfComputingIt() throws {
        let scratch = try ScratchFolder()
        let model = URL(fileURLWithPath: try scratch.write("model.safetensors", Data("weights".utf8)))
        let counter = Counter()
        let first = FigureCache(directory: scratch.url.appendingPathComponent("cache"))
        #expect(try first.figure("trust", modelFile: model, settings: "s") { counter.compute(1) } == Figure(value: 1))
        // A new cache value over the same folder: what a restarted server holds.
        let restarted = FigureCache(directory: scratch.url.appendingPathComponent("cache"))
        #expect(try restarted.figure("trust", modelFile: model, settings: "s") { counter.compute(2) } == Figure(value: 1))
        #expect(counter.count == 1)
        // Other settings are another figure.
        #expect(try restarted.figure("trust", modelFile: model, settings: "t") { counter.compute(3) } == Figure(value: 3))
        #expect(counter.count == 2)
        // Nothing is written beside the model.
        #expect(try scratch.contents() == ["cache", "model.safetensors"])
    }

    @Test func aChangedModelFileMissesTheCache() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("model.safetensors", Data("weights".utf8))
        let cache = FigureCache(directory: scratch.url.appendingPathComponent("cache"))
        let counter = Counter()
        _ = try cache.figure("trust", modelFile: URL(fileURLWithPath: path), settings: "s") { counter.compute(1) }
        _ = try scratch.write("model.safetensors", Data("retrained weights".utf8))
        #expect(try cache.figure("trust", modelFile: URL(fileURLWithPath: path), settings: "s") { counter.compute(2) } == Figure(value: 2))
        #expect(counter.count == 2)
    }

    @Test func aCorruptOrOldEntryIsComputedAgainAndRewritten() throws {
        let scratch = try ScratchFolder()
        let model = URL(fileURLWithPath: try scratch.write("model.safetensors", Data("weights".utf8)))
        let directory = scratch.url.appendingPathComponent("cache")
        let cache = FigureCache(directory: directory)
        let counter = Counter()
        _ = try cache.figure("trust", modelFile: model, settings: "s") { counter.compute(1) }
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(entries.count == 1 && entries[0].hasPrefix("trust-") && entries[0].hasSuffix(".json"))
        let entry = directory.appendingPathComponent(entries[0])
        let good = try Data(contentsOf: entry)

        try Data("{\"format\": \"neurallens-figure-cache\", \"val".utf8).write(to: entry)
        #expect(try cache.figure("trust", modelFile: model, settings: "s") { counter.compute(2) } == Figure(value: 2))
        #expect(counter.count == 2)
        #expect(try cache.figure("trust", modelFile: model, settings: "s") { counter.compute(3) } == Figure(value: 2), "the entry was rewritten")

        // An entry of another cache version (a figure whose meaning has since changed) is not read.
        let old = String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"version\":1", with: "\"version\":0")
        #expect(old != String(decoding: good, as: UTF8.self))
        try Data(old.utf8).write(to: entry)
        #expect(try cache.figure("trust", modelFile: model, settings: "s") { counter.compute(4) } == Figure(value: 4))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1, "no temporary file left")
    }

    @Test func anUnwritableCacheFolderOnlyCostsTheTime() throws {
        let scratch = try ScratchFolder()
        let model = URL(fileURLWithPath: try scratch.write("model.safetensors", Data("weights".utf8)))
        // A folder under a regular file can never be made, whoever runs the test (root ignores modes).
        let blocked = URL(fileURLWithPath: try scratch.write("not-a-folder", Data())).appendingPathComponent("figures")
        let cache = FigureCache(directory: blocked)
        let counter = Counter()
        #expect(try cache.figure("trust", modelFile: model, settings: "s") { counter.compute(1) } == Figure(value: 1))
        #expect(try cache.figure("trust", modelFile: model, settings: "s") { counter.compute(2) } == Figure(value: 2))
        // A failed computation is the caller's error, never hidden by the cache.
        #expect(throws: StudioError.self) {
            _ = try cache.figure("trust", modelFile: model, settings: "s") { () throws -> Figure in throw StudioError(.failed, "no") }
        }
    }

    @Test func aRestartedLibraryReadsTheTrustChecksBack() async throws {
        let scratch = try ScratchFolder()
        let (model, _) = try StudioServiceTests.tinyModel()
        let file = scratch.url.appendingPathComponent("tiny.safetensors")
        try model.write(to: file)
        let cache = FigureCache(directory: scratch.url.appendingPathComponent("cache"))

        func trust(_ library: ModelLibrary, _ id: String) async throws -> ModelTrust {
            for _ in 0..<6000 {
                if case .ready(let trust) = try library.trust(id) { return trust }
                if case .failed(let error) = try library.trust(id) { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw StudioError(.failed, "the trust checks never finished")
        }
        let first = ModelLibrary(directory: scratch.url, figureCache: cache)
        let measured = try await trust(first, try first.load(file))
        let entries = try FileManager.default.contentsOfDirectory(atPath: scratch.path("cache"))
        #expect(entries.count == 1)
        let written = try FileManager.default.attributesOfItem(atPath: scratch.path("cache/\(entries[0])"))[.modificationDate] as? Date

        let restarted = ModelLibrary(directory: scratch.url, figureCache: cache)
        let read = try await trust(restarted, try restarted.load(file))
        // The same measurement (its own timing included), not a second one, and the entry untouched.
        #expect(read.seconds == measured.seconds && read.methods.map(\.line) == measured.methods.map(\.line))
        #expect(try FileManager.default.attributesOfItem(atPath: scratch.path("cache/\(entries[0])"))[.modificationDate] as? Date == written)
    }

    /// The Templates page drew at once before its figure needed the training images; now the figure is
    /// started as soon as the model's evaluation has loaded them, once, without waiting for a visit.
    @Test func templatesAreDrawnOnceTheModelIsEvaluatedBeforeAnyoneAsks() async throws {
        let scratch = try ScratchFolder()
        let (model, _) = try StudioServiceTests.tinyModel()
        let file = scratch.url.appendingPathComponent("tiny.safetensors")
        try model.write(to: file)
        let library = ModelLibrary(directory: scratch.url, figureCache: FigureCache(directory: scratch.url.appendingPathComponent("cache")))
        let id = try library.load(file)
        var drawn: TemplatesFigure?
        for _ in 0..<15000 where drawn == nil {
            drawn = try library.figures.templates.value(id)  // looks without starting anything
            if drawn == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let figure = try #require(drawn, "the templates were never started without a visit")
        #expect(try library.templates(id)?.count == figure.count, "the page is given the figure already drawn")
    }
}
