import Dispatch
import Foundation
import Hummingbird
import HummingbirdCore
import LensData
import LensModels
import LensServer
import LensStudio
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Bytes as a client sends them on one connection, through the server's own HTTP/1 pipeline (NIO's
/// decoder with Hummingbird's limits, then the HTTP types codec) and, for each complete request,
/// the server's router: guards, routes and handlers, with the answer encoded back. In-process, no
/// socket. The library holds one small softmax on ORL and no training data, so a job never starts.
enum HTTPExchange {
    static let maxUpload = 64 * 1024

    private static let responder: Result<RouterResponder<BasicRequestContext>, Error> = Result {
        let dataset = try StudioDataset(source: .orl, preprocessing: Preprocessing(size: 16, channels: 1))
        var recipe = ModelRecipe.defaults(for: .softmax, trainingCount: dataset.split.train.count)
        recipe.options.epochs = 1
        let library = ModelLibrary(directory: FileManager.default.temporaryDirectory.appendingPathComponent("lens-fuzz-http"))
        library.add(try dataset.train(recipe, name: "m").model, id: "m")
        return try StudioServer.router(library: library, configuration: ServerConfiguration(maxUpload: maxUpload)).buildResponder()
    }

    static func prepare() { _ = responder }

    static func run(_ data: Data) throws {
        let responder = try responder.get()
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        // As HTTP1Channel.setup configures a connection.
        let limits = HTTP1Channel.Configuration().httpDecoder
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderFieldSize
        decoderLimits.maxHeaderListSize = limits.maxHeaderListSize
        decoderLimits.maxHeaderFieldCount = limits.maxHeaderFieldCount
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits)
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))

        // A malformed request throws here, as it closes the connection in the server.
        var failure: Error?
        do { try channel.writeInbound(ByteBuffer(data: data)) } catch { failure = error }
        var head: HTTPRequest?
        var body = ByteBuffer()
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let request):
                head = request
                body.clear()
            case .body(var piece):
                body.writeBuffer(&piece)
            case .end:
                guard let request = head else { continue }
                head = nil
                let response = answer(Request(head: request, body: RequestBody(buffer: body)), responder: responder)
                try channel.writeOutbound(HTTPResponsePart.head(response.head))
                try channel.writeOutbound(HTTPResponsePart.body(response.body))
                try channel.writeOutbound(HTTPResponsePart.end(nil))
                while try channel.readOutbound(as: IOData.self) != nil {}
            }
        }
        if let failure { throw failure }
    }

    /// The router's answer with its whole body, waited for on this thread. The task runs on a queue
    /// of its own: this thread may be one of the few of Swift's shared pool (`swift test` replays the
    /// corpus there), and blocking them all while the task waits for one would never end.
    private static func answer(_ request: Request, responder: RouterResponder<BasicRequestContext>) -> (head: HTTPResponse, body: ByteBuffer) {
        let done = DispatchSemaphore(value: 0)
        let result = Collected()
        Task(executorPreference: executor) {
            let channel = NIOAsyncTestingChannel()
            let context = BasicRequestContext(source: .init(channel: channel, logger: Logger(label: "fuzz")))
            let response: Response
            do { response = try await responder.respond(to: request, context: context) } catch {
                response = Response(status: .internalServerError)
            }
            result.head = response.head
            try? await response.body.write(result)
            // A channel left open keeps its pipeline alive (a reference cycle): LeakSanitizer's first report.
            _ = try? await channel.finish(acceptAlreadyClosed: true)
            done.signal()
        }
        done.wait()
        return (result.head, result.body)
    }

    private static let executor = QueueExecutor()

    /// Runs tasks on a dispatch queue, outside Swift's shared pool.
    private final class QueueExecutor: TaskExecutor {
        private let queue = DispatchQueue(label: "lens-fuzz-http")
        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// The response as it is written: head and body bytes.
    private final class Collected: ResponseBodyWriter, @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = ByteBuffer()
        private var storedHead = HTTPResponse(status: .internalServerError)
        var head: HTTPResponse {
            get { lock.withLock { storedHead } }
            set { lock.withLock { storedHead = newValue } }
        }
        var body: ByteBuffer { lock.withLock { bytes } }
        func write(_ buffer: ByteBuffer) async throws { lock.withLock { bytes.writeImmutableBuffer(buffer) } }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
