import Testing
@testable import LensCLI

/// `lens demo` names its dataset `--data` like every other command, and still takes `--dataset`.
@Suite struct DemoArgumentTests {
    @Test func dataAndItsOlderName() throws {
        #expect(try parse(DemoCommand.self, ["demo", "--data", "fashion-mnist"]).dataset == "fashion-mnist")
        #expect(try parse(DemoCommand.self, ["demo", "--dataset", "/tmp/photos"]).dataset == "/tmp/photos")
        #expect(try parse(DemoCommand.self, ["demo"]).dataset == "orl")
    }
}
