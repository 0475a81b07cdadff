import Foundation
import Testing
@testable import LensFetch

@Suite struct FetchListTests {
    @Test func readsFaceScrubsTabSeparatedFileWithItsHeader() throws {
        let text = """
        name\timage_id\tface_id\turl\tbbox\tsha256
        Alec Baldwin\t1\t17\thttp://example.com/a.jpg\t10,20,110,140\t\(String(repeating: "AB", count: 32))
        Steve Carell\t9\t1702\thttps://example.com/b.png\t1,2,3,4\t

        """
        let (format, rows) = try FetchList.parse(text)
        #expect(format == .faceScrub)
        #expect(rows.count == 2)
        #expect(rows[0] == FetchRow(line: 2, url: "http://example.com/a.jpg", label: "Alec Baldwin", faceID: "17",
                                    box: FaceBox(x1: 10, y1: 20, x2: 110, y2: 140), sha256: String(repeating: "ab", count: 32)))
        #expect(rows[0].stem == "17")
        #expect(rows[1].sha256 == nil)
        #expect(rows[1].box == FaceBox(x1: 1, y1: 2, x2: 3, y2: 4))
    }

    @Test func readsTheCSVFormsWithQuotesAndComments() throws {
        let sha = String(repeating: "0f", count: 32)
        let text = """
        url,label,x1,y1,x2,y2,sha256
        # a comment
        http://h/1.jpg,cat
        http://h/2.jpg,"Baldwin, Alec",\(sha)
        http://h/3.jpg,dog,1,2,30,40
        http://h/4.jpg,"say \"\"hi\"\"",1,2,30,40,\(sha)
        """
        let (format, rows) = try FetchList.parse(text)
        #expect(format == .csv)
        #expect(rows.map(\.label) == ["cat", "Baldwin, Alec", "dog", "say \"hi\""])
        #expect(rows.map(\.line) == [3, 4, 5, 6])
        #expect(rows[1].sha256 == sha && rows[1].box == nil)
        #expect(rows[2].box == FaceBox(x1: 1, y1: 2, x2: 30, y2: 40) && rows[2].sha256 == nil)
        #expect(rows[3].sha256 == sha)
        #expect(rows[0].stem == "row3")
    }

    @Test func namesTheLineAndTheProblem() {
        #expect(throws: FetchListError(line: 2, problem: "4 fields, but a CSV line is url,label[,x1,y1,x2,y2][,sha256]")) {
            try FetchList.parse("http://h/1.jpg,a\nhttp://h/1.jpg,a,1,2\n")
        }
        #expect(throws: FetchListError.self) { try FetchList.parse("http://h/1.jpg,a,5,5,2,2\n") }
        #expect(throws: FetchListError.self) { try FetchList.parse("http://h/1.jpg,a,nothex\n") }
        #expect(throws: FetchListError.self) { try FetchList.parse("A\t1\t2\thttp://h\t1,2,3\t\n") }
        #expect(throws: FetchListError(line: nil, problem: "the list has no rows")) { try FetchList.parse("\n# only a comment\n") }
        #expect(throws: FetchListError(line: 1, problem: "a quote is not closed")) { try FetchList.parse("http://h,\"open\n") }
    }

    @Test func aFaceIDThatIsAPathIsNotAFileName() {
        #expect(FetchRow(line: 7, url: "u", label: "a", faceID: "../../etc/passwd").stem == "row7")
        #expect(FetchRow(line: 7, url: "u", label: "a", faceID: "a_b-9").stem == "a_b-9")
    }

    @Test func csvFieldsRoundTrip() {
        let fields = ["plain", "with, comma", "with \"quote\"", "", "line\nbreak"]
        #expect(CSVLine.fields(Substring(CSVLine.format(fields))) == fields)
    }
}

@Suite struct SafeLabelTests {
    @Test func pathsBecomeOneFolderName() throws {
        #expect(try SafeLabel.folder(for: "Alec Baldwin").get() == "Alec Baldwin")
        #expect(try SafeLabel.folder(for: "../../x").get() == "_.._x")
        #expect(try SafeLabel.folder(for: "/etc/passwd").get() == "_etc_passwd")
        #expect(try SafeLabel.folder(for: "AC/DC").get() == "AC_DC")
        #expect(try SafeLabel.folder(for: " .hidden. ").get() == "hidden")
    }

    @Test func namesThatCannotBeFoldersAreRefused() throws {
        for label in ["..", ".", "", "   ", "a\u{0}b", "a\nb", String(repeating: "é", count: 51)] {
            #expect(throws: SafeLabel.Refusal.self, "\(label.debugDescription)") { try SafeLabel.folder(for: label).get() }
        }
        #expect(try SafeLabel.folder(for: String(repeating: "é", count: 50)).get().utf8.count == 100)
    }
}
