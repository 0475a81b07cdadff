import Foundation
import LensModels
import LensStudio
import Testing

/// Training jobs over HTTP: one at a time (409), predictions served while one runs, cancellation
/// that writes nothing, a finished job's model served and its events replayed.
@Suite(.serialized) struct TrainingRouteTests {
    private func files(in directory: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    }

    @Test func jobsRunOneAtATimeBesideConcurrentPredictionsAndCancelCleanly() async throws {
        let server = try await TestServer.shared.value
        let http = server.http
        let long = #"{"kind": "mlp", "hidden_units": 400, "epochs": 500, "patience": 0}"#
        let started = try await http.send("POST", "/api/train", headers: ["Content-Type": "application/json"], body: Data(long.utf8))
        #expect(started.status == 202, "\(started.text)")
        let name = try #require(try started.decode([String: String].self)["model"])

        let second = try await http.send("POST", "/api/train", body: Data(#"{"kind": "softmax", "epochs": 1}"#.utf8))
        #expect(second.status == 409, "\(second.status) \(second.text)")
        #expect(second.text.contains("already running"))

        // Predictions while the job trains: every one answered, and the same as before the job.
        let face = try TestServer.faceFile(person: 9, image: 2)
        let before = try await http.send("POST", "/api/predict?model=mlp", body: face).decode(Prediction.self)
        let answers = try await withThrowingTaskGroup(of: RawHTTP.Answer.self) { group in
            for _ in 0..<16 { group.addTask { try await http.send("POST", "/api/predict?model=mlp", body: face) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 16)
        for answer in answers {
            #expect(answer.status == 200, "\(answer.text)")
            #expect(try answer.decode(Prediction.self) == before, "\(answer.text) differs from \(before)")
        }
        let during = try await http.send("GET", "/api/train")
        #expect(try during.decode(TrainingRunner.Status.self).running, "\(during.text)")

        let cancel = try await http.send("POST", "/api/train/cancel")
        #expect(cancel.text.contains("true"), "\(cancel.text)")
        // The event stream replays the job and ends with its final event once the job stops.
        let stream = try await http.send("GET", "/api/train/events")
        #expect(stream.headers["content-type"] == "text/event-stream")
        let events = stream.text.components(separatedBy: "\n").filter { $0.hasPrefix("event: ") }
        #expect(events.first == "event: started")
        #expect(events.last == "event: cancelled", "\(events)")
        let status = try await http.send("GET", "/api/train").decode(TrainingRunner.Status.self)
        #expect(!status.running && status.events.last?.kind == .cancelled, "\(status)")
        // The Train page shows "kind: message": the message must not say "cancelled" again.
        let message = try #require(status.events.last?.message)
        #expect(!message.contains("cancel") && !message.isEmpty, "the page would read \"cancelled: \(message)\"")
        #expect(!files(in: server.directory).contains { $0.contains(name) }, "\(files(in: server.directory))")
        #expect(!(try await http.send("GET", "/api/models").decode(ModelLibrary.State.self)).models.contains { $0.id == name })
    }

    @Test func aFinishedJobIsWrittenServedAndReplayed() async throws {
        let server = try await TestServer.shared.value
        let http = server.http
        let started = try await http.send("POST", "/api/train", body: Data(#"{"kind": "softmax", "epochs": 3, "learning_rate": 0.002}"#.utf8))
        #expect(started.status == 202, "\(started.text)")
        let name = try #require(try started.decode([String: String].self)["model"])
        let stream = try await http.send("GET", "/api/train/events")
        let events = try stream.text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }
            .map { try StudioJSON.decoder().decode(TrainingEvent.self, from: Data($0.dropFirst(6).utf8)) }
        #expect(events.map(\.kind) == [.started, .epoch, .epoch, .epoch, .finished])
        #expect(events.map(\.sequence) == Array(0..<5))
        #expect(events[0].epochs == 3)
        for (index, event) in events[1...3].enumerated() {
            #expect(event.record?.epoch == index + 1)
            #expect(event.templates?.count == 40)
        }
        #expect(events[4].model == name)
        // Written atomically (no temporary left), loadable, and served.
        let file = server.directory.appendingPathComponent(name + ".safetensors")
        #expect(try ModelFile(contentsOf: file).history?.epochs.count == 3)
        #expect(files(in: server.directory) == [name + ".safetensors"] || !files(in: server.directory).contains { $0.hasSuffix(".tmp") })
        let predicted = try await http.send("POST", "/api/predict?model=\(name)", body: try TestServer.faceFile())
        #expect(predicted.status == 200)
        #expect(try await server.overview(name).status == 200)
    }

    @Test func badTrainingRequestsAre400WithoutFlagNames() async throws {
        let http = try await TestServer.shared.value.http
        let cases = [(#"{"kind": "mlp", "epochs": 0}"#, "epochs 0"), (#"{"kind": "knn"}"#, "cannot be trained"),
                     (#"{"kind": "mlp", "hidden_units": 99999}"#, "hidden units"), (#"{"kind": "mlp", "learning_rate": -1}"#, "learning rate"),
                     (#"{"kind": "wizard"}"#, "training request"), ("not json", "training request"), (#"{"epochs": 3}"#, "kind")]
        for (body, expected) in cases {
            let answer = try await http.send("POST", "/api/train", body: Data(body.utf8))
            #expect(answer.status == 400, "\(body)")
            #expect(answer.text.contains(expected), "\(body): \(answer.text)")
            #expect(!answer.text.contains("--"), "\(body): \(answer.text)")
        }
    }
}
