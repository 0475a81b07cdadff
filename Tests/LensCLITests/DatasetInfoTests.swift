import Foundation
import LensData
import Testing
@testable import LensCLI

@Suite("lens dataset info lists what it could not read, with reasons")
struct DatasetInfoTests {
    @Test("a broken file is listed as skipped with its reason; the rest is counted")
    func brokenFileSkipped() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset()
        let broken = try scratch.write("patterns/top/broken.png", Data("plain text".utf8))
        let truncated = try scratch.write("patterns/centre/cut.jpg", try Fixture.data(Pattern.centre.jpegFixture).prefix(200))
        let empty = try scratch.write("patterns/left/empty.png", Data())

        let command = try parse(DatasetInfoCommand.self, ["dataset", "info", data, "--json"])
        try command.run()

        let report = DatasetInfoCommand.Report(try DatasetLoader.info(DatasetSource(argument: data)))
        #expect(report.images == 30)
        #expect(report.classes.map(\.name) == ["centre", "left", "top"])
        #expect(report.classes.map(\.count) == [10, 10, 10])
        #expect(Set(report.skipped.map(\.path)) == [broken, truncated, empty])
        let reasons = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.path, $0.reason) })
        #expect(reasons[broken]?.contains("not a PNG, JPEG or PGM image") == true, "\(reasons[broken] ?? "")")
        #expect(reasons[empty]?.contains("empty") == true, "\(reasons[empty] ?? "")")
        #expect(reasons[truncated]?.isEmpty == false)

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let skipped = json?["skipped"] as? [[String: String]]
        #expect(skipped?.count == 3)
        #expect(skipped?.allSatisfy { $0["path"] != nil && $0["reason"]?.isEmpty == false } == true)
    }
}
