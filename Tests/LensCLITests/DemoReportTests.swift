import Foundation
import LensData
import Testing
@testable import LensCLI
import LensTestSupport

/// `lens demo --quick` end to end through the executable, and the pages LensRender wrote read back:
/// every embedded picture decodes, every link lands on a file (or an anchor) that exists, and the
/// results table holds the figures the run printed.
@Suite("lens demo --quick writes pages that hold together")
struct DemoReportTests {
    /// The trust checks run every method on every randomised network: minutes in a debug build.
    static let debugBuildSeconds = 900.0

    @Test("demo --quick on a small folder: pictures decode, links resolve, the table matches the printed one")
    func quickDemo() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let report = scratch.path("report")
        let run = try LensBinary.Running(["demo", "--quick", "--dataset", data, "--out", report], in: scratch.url).finish(within: Self.debugBuildSeconds)
        #expect(run.status == 0, "\(run.stderr)")

        let pages = try FileManager.default.contentsOfDirectory(atPath: report).filter { $0.hasSuffix(".html") }.sorted()
        #expect(pages.contains("index.html"), "\(pages)")
        for page in ["nearest-neighbours.html", "templates.html", "units.html", "maps.html", "trust.html"] {
            #expect(pages.contains(page), "\(page) missing: \(pages)")
        }
        let pictures = try Self.checkPages(in: report)
        #expect(pictures >= 10, "the pages embed the neighbours and templates as pictures (\(pictures))")
        let nearest = try String(contentsOfFile: report + "/nearest-neighbours.html", encoding: .utf8)
        #expect(nearest.contains("uniform noise") && nearest.contains("upside down"), "the strangers are on the nearest page")
        #expect(nearest.matches(of: /percentile \d+/).count >= 4, "each input shows how unusual it is")
        let templates = try String(contentsOfFile: report + "/templates.html", encoding: .utf8)
        // The folder holds patterns, not faces: the figure is named for what it measures.
        #expect(templates.matches(of: /Likeness to the class means \(class-mean likeness\) <b>−?\d\.\d\d<\/b>/).count == 2, "softmax and MLP each have a likeness figure")
        #expect(!templates.contains("face-likeness"), "patterns are not faces")
        #expect(templates.contains("filter 0"), "the CNN's first-layer filters are drawn")
        try Self.checkExplanationPages(in: report)

        // The printed table: "model  test accuracy  training time", one row per model.
        let printed = Dictionary(run.stdout.split(separator: "\n").dropFirst().compactMap { line -> (String, String)? in
            guard let match = line.firstMatch(of: /^(.+?)\s{2,}(\d\.\d{3})\s{2}/) else { return nil }
            return (String(match.1), String(match.2))
        }, uniquingKeysWith: { first, _ in first })
        #expect(printed.count >= 7, "1-NN x3, softmax, two MLPs, CNN: \(run.stdout)")
        let index = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
        let rows = index.matches(of: /<tr><td>([^<]+)<\/td><td>[^<]*<\/td><td class=num>([^<]+)<\/td>/).map { (String($0.1), String($0.2)) }
        let tabled = Dictionary(rows, uniquingKeysWith: { first, _ in first })
        #expect(tabled == printed, "index.html table \(tabled) differs from the printed table \(printed)")
    }

    @Test("a report --out inside the dataset, over a file, or in a read-only folder is refused before any training")
    func reportOutputChecked() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        func demoFailure(_ out: String) -> String? {
            failureMessage { try parse(DemoCommand.self, ["demo", "--quick", "--dataset", data, "--out", out]).run() }
        }
        let inside = data + "/left/report"
        #expect(demoFailure(inside) == "--out \(inside) is inside the --data folder \(data): writing it would change what is read; write it elsewhere")
        #expect(!FileManager.default.fileExists(atPath: inside), "no report folder made inside the data")
        let file = try scratch.write("notes.txt", Data("mine".utf8))
        #expect(demoFailure(file) == "--out \(file) is a file, not a folder; give a folder for the report")
        let locked = try ReadOnlyFolder(in: scratch, "locked")
        let message = demoFailure(locked.path + "/report")
        #expect(message?.hasPrefix("--out \(locked.path)/report: cannot write in \(locked.path): ") == true, "\(message ?? "no error")")
    }

    @Test("lens report on a trained CNN and MLP: templates or units, the mistakes' maps and the trust tables, also as one file")
    func reportOnTrainedModels() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        for kind in ["cnn", "mlp"] {
            let model = scratch.path("\(kind).safetensors")
            let train = try LensBinary.run(["train", "--model", kind, "--data", data, "--epochs", "2", "--out", model], in: scratch.url)
            #expect(train.status == 0, "\(train.stderr)")
            let report = scratch.path("\(kind)-report")
            let run = try LensBinary.Running(["report", "--model", model, "--out", report, "--quick"], in: scratch.url).finish(within: Self.debugBuildSeconds)
            #expect(run.status == 0, "\(run.stderr)")
            let pages = try FileManager.default.contentsOfDirectory(atPath: report).filter { $0.hasSuffix(".html") }.sorted()
            // A CNN has units and the embedding of its layers; an MLP its templates.
            let learned: Set = kind == "cnn" ? ["units.html", "embedding.html"] : ["templates.html"]
            #expect(Set(pages) == learned.union(["index.html", "maps.html", "trust.html"]), "\(pages)")
            #expect(try Self.checkPages(in: report) >= 5)
            let maps = try String(contentsOfFile: report + "/maps.html", encoding: .utf8)
            #expect(maps.contains("<h1>Mistakes and their maps</h1>"))
            try Self.checkTrustPage(in: report)

            let single = scratch.path("\(kind).html")
            let one = try LensBinary.Running(["report", "--model", model, "--out", single, "--quick", "--single-file"], in: scratch.url).finish(within: Self.debugBuildSeconds)
            #expect(one.status == 0, "\(one.stderr)")
            let html = try String(contentsOfFile: single, encoding: .utf8)
            #expect(html.contains("Can we trust these maps?") && html.contains("Mistakes and their maps"), "every page in the one file")
        }
    }

    /// Reads every page of `folder`: each embedded PNG decodes, each src and link resolves (anchors
    /// included). Returns the number of pictures.
    static func checkPages(in report: String) throws -> Int {
        let pages = try FileManager.default.contentsOfDirectory(atPath: report).filter { $0.hasSuffix(".html") }.sorted()
        var pictures = 0
        for page in pages {
            let html = try String(contentsOfFile: report + "/" + page, encoding: .utf8)
            for source in Self.captures(#"src="([^"]*)""#, in: html) {
                if source.hasPrefix("data:image/png;base64,") {
                    let bytes = try #require(Data(base64Encoded: String(source.dropFirst("data:image/png;base64,".count))),
                                             "\(page): an embedded picture is not base64")
                    let image = try ImageDecoder.decode(bytes, path: "\(page) picture \(pictures)")
                    #expect(image.width > 0 && image.height > 0)
                    pictures += 1
                } else {
                    #expect(FileManager.default.fileExists(atPath: report + "/" + source), "\(page): src \(source.prefix(60)) does not resolve")
                }
            }
            let ids = Set(Self.captures(#"id="([^"]*)""#, in: html))
            for link in Self.captures(#"href="([^"]*)""#, in: html) where !link.hasPrefix("http") {
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                if !parts[0].isEmpty {
                    #expect(FileManager.default.fileExists(atPath: report + "/" + parts[0]), "\(page): link \(link) does not resolve")
                }
                if parts.count == 2, parts[0].isEmpty {
                    #expect(ids.contains(parts[1]), "\(page): anchor \(link) has no target")
                }
            }
        }
        return pictures
    }

    /// The CNN's units, maps and trust pages of the demo hold what they promise.
    static func checkExplanationPages(in report: String) throws {
        let units = try String(contentsOfFile: report + "/units.html", encoding: .utf8)
        #expect(units.matches(of: /<h3>\w+ unit \d+<\/h3>/).count >= 2, "units each with their patches")
        #expect(units.contains("deconvnet projection of unit"), "projections beside the patches")
        let maps = try String(contentsOfFile: report + "/maps.html", encoding: .utf8)
        #expect(maps.matches(of: /class="attrrow/).count >= 1, "a row per explained image")
        for title in ["Saliency", "SmoothGrad", "Integrated gradients", "Grad-CAM", "Occlusion"] {
            #expect(maps.contains("<b>\(title)</b>"), "\(title) on the maps page")
        }
        #expect(maps.contains("convergence δ = "), "IG's convergence delta is shown")
        #expect(maps.contains("randomisation passed") || maps.contains("randomisation failed") || maps.contains("randomisation undetermined"),
                "each map carries its method's randomisation verdict")
        try checkTrustPage(in: report)
    }

    /// Both trust tables hold figures: Spearman "mean ± std" cells and deletion/insertion areas.
    static func checkTrustPage(in report: String) throws {
        let trust = try String(contentsOfFile: report + "/trust.html", encoding: .utf8)
        #expect(trust.matches(of: /<td class=num>-?\d\.\d\d\s±\s\d\.\d\d \//).count >= 3, "randomisation cells with figures")
        #expect(trust.matches(of: /<td class=num>[01]\.\d{3}<\/td>/).count >= 8, "faithfulness areas")
        #expect(trust.contains("<polyline"), "curves drawn")
        #expect(trust.contains("passes when the mean Spearman"), "the verdict's rule is stated")
    }

    private static func captures(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
