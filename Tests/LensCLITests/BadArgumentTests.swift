import Testing
@testable import LensCLI

/// Bad values caught while parsing, before any data is read; each message names the option and the value.
@Suite("Bad command-line values are refused at parse time with a clear message")
struct BadArgumentTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        /// Every fragment must appear in the message.
        var mentions: [String]
        var testDescription: String { "lens " + arguments.joined(separator: " ") }
    }

    static let train = ["train", "--data", "orl", "--out", "/tmp/never-written.safetensors"]

    static let cases: [Case] = [
        Case(arguments: train + ["--model", "knn", "--size", "0"], mentions: ["--size 0", "between 4 and 512"]),
        Case(arguments: train + ["--model", "knn", "--size", "100000"], mentions: ["--size 100000", "between 4 and 512"]),
        Case(arguments: train + ["--model", "knn", "--k", "0"], mentions: ["--k 0", "k must be between 1 and"]),
        Case(arguments: train + ["--model", "softmax", "--lr", "0"], mentions: ["--lr 0", "learning rate must be between 1e-06 and 10"]),
        Case(arguments: train + ["--model", "softmax", "--lr=-1"], mentions: ["--lr -1", "between 1e-06 and 10"]),
        Case(arguments: train + ["--model", "softmax", "--lr", "-1"], mentions: ["--lr -1", "between 1e-06 and 10"]),
        Case(arguments: train + ["--model", "softmax", "--lr", "50"], mentions: ["--lr 50", "between 1e-06 and 10"]),
        Case(arguments: train + ["--model", "knn", "--k", "-1"], mentions: ["--k -1", "between 1 and"]),
        Case(arguments: train + ["--model", "knn", "--size", "-5"], mentions: ["--size -5", "between 4 and 512"]),
        Case(arguments: train + ["--model", "softmax", "--batch-size", "0"], mentions: ["--batch-size 0"]),
        Case(arguments: train + ["--model", "softmax", "--epochs", "-2"], mentions: ["--epochs -2", "epochs must be between 1 and"]),
        Case(arguments: train + ["--model", "softmax", "--epochs", "0"], mentions: ["--epochs 0", "between 1 and"]),
        Case(arguments: train + ["--model", "mlp", "--hidden", "3,x"], mentions: ["--hidden 3,x", "e.g. 300 or 512,256"]),
        Case(arguments: train + ["--model", "knn", "--hidden", "300"], mentions: ["--hidden", "mlp only"]),
        Case(arguments: train + ["--model", "softmax", "--optimizer", "rmsprop"], mentions: ["rmsprop", "--optimizer", "adam", "sgd"]),
        Case(arguments: train + ["--model", "forest"], mentions: ["forest", "--model"]),
        Case(arguments: train + ["--model", "softmax", "--weight-decay", "-0.1"], mentions: ["--weight-decay -0.1", "weight decay must be between 0"]),
        Case(arguments: train + ["--model", "softmax", "--optimizer", "sgd", "--momentum", "1.5"], mentions: ["--momentum 1.5", "momentum must be between 0"]),
        Case(arguments: train + ["--model", "knn", "--history-csv", "h.csv"], mentions: ["--history-csv", "k-NN"]),
        Case(arguments: train + ["--model", "mlp", "--hidden", "-5"], mentions: ["--hidden -5", "hidden units must be between 1 and"]),
        Case(arguments: train + ["--model", "cnn", "--k", "3"], mentions: ["--k", "--model knn only", "not --model cnn"]),
        Case(arguments: train + ["--model", "cnn", "--metric", "cosine"], mentions: ["--metric", "--model knn only"]),
        Case(arguments: train + ["--model", "knn", "--epochs", "5"], mentions: ["--epochs", "not --model knn"]),
        Case(arguments: train + ["--model", "knn", "--lr", "0.1"], mentions: ["--lr", "not --model knn"]),
        Case(arguments: train + ["--model", "knn", "--augment-flip"], mentions: ["--augment-flip", "not --model knn"]),
        Case(arguments: train + ["--model", "softmax", "--arch", "fc16"], mentions: ["--arch fc16", "--model softmax"]),
        Case(arguments: train + ["--model", "mlp", "--checkpoint-every", "0"], mentions: ["--checkpoint-every 0", "1 or more"]),
        Case(arguments: ["train", "--out", "/tmp/never-written.safetensors"], mentions: ["--model", "--resume"]),
        Case(arguments: ["train", "--resume", "m.safetensors", "--out", "/tmp/x", "--hidden", "30"], mentions: ["--hidden", "--resume file fixes it"]),
        Case(arguments: ["predict", "--model", "m.safetensors", "--top", "0", "a.png"], mentions: ["--top 0", "between 1 and"]),
        Case(arguments: ["predict", "--model", "m.safetensors", "--top", "-1", "a.png"], mentions: ["--top -1", "between 1 and"]),
        Case(arguments: ["evaluate", "--model", "m.safetensors", "--split", "tests"], mentions: ["--split tests", "train, validation, test, all"]),
        Case(arguments: ["report", "--model", "m.safetensors", "--split", "dev", "--out", "r"], mentions: ["--split dev", "train, validation, test, all"]),
        Case(arguments: ["demo", "--size", "600"], mentions: ["--size 600", "between 4 and 512"]),
    ]

    @Test("refused with a message naming it", arguments: cases)
    func refused(_ badCase: Case) {
        let message = parseFailure(badCase.arguments)
        #expect(message != nil, "the command line was accepted")
        for fragment in badCase.mentions {
            #expect(message?.contains(fragment) == true, "\(message ?? "no error") should mention \(fragment)")
        }
        #expect(message?.contains("\n") == false, "one line: \(message ?? "")")
    }

    @Test("the same command lines with good values parse")
    func goodValuesParse() throws {
        let command = try parse(TrainCommand.self, Self.train + ["--model", "mlp", "--hidden", "512, 256", "--lr", "0.01",
                                                                  "--batch-size", "8", "--epochs", "2", "--size", "4",
                                                                  "--optimizer", "sgd"])
        #expect(try command.hiddenWidths() == [512, 256])
        #expect(try parse(TrainCommand.self, Self.train + ["--model", "knn", "--size", "512", "--k", "7"]).k == 7)
    }
}
