import Foundation
import LensData
import Testing
@testable import LensCLI
import LensTestSupport

@Suite("lens dataset info lists what it could not read, with reasons")
struct DatasetInfoTests {
    @Test("a broken file is listed as skipped with its reason; the rest is counted")
    func brokenFileSkipped() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let broken = try scratch.write("patterns/top/broken.png", Data("plain text".utf8))
        let truncated = try scratch.write("patterns/centre/cut.jpg", try Fixture.data(Pattern.centre.jpegFixture).prefix(200))
        let empty = try scratch.write("patterns/left/empty.png", Data())

        // What the user reads: the stdout of the `lens` executable.
        let run = try LensBinary.run(["dataset", "info", data, "--json"], in: scratch.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        #expect(json["images"] as? Int == 30)
        let classes = json["classes"] as? [[String: Any]]
        #expect(classes?.compactMap { $0["name"] as? String } == ["centre", "left", "top"])
        #expect(classes?.compactMap { $0["count"] as? Int } == [10, 10, 10])
        let sizes = json["sizes"] as? [[String: Int]]
        #expect(sizes?.map { $0["count"] ?? 0 }.reduce(0, +) == 30, "every readable image has its size counted: \(sizes ?? [])")
        let skipped = try #require(json["skipped"] as? [[String: String]])
        #expect(Set(skipped.compactMap { $0["path"] }) == [broken, truncated, empty])
        let reasons = Dictionary(uniqueKeysWithValues: skipped.map { ($0["path"] ?? "", $0["reason"] ?? "") })
        #expect(reasons[broken]?.contains("not a PNG, JPEG or PGM image") == true, "\(reasons[broken] ?? "")")
        #expect(reasons[empty]?.contains("empty") == true, "\(reasons[empty] ?? "")")
        #expect(reasons[truncated]?.isEmpty == false)
    }
}
