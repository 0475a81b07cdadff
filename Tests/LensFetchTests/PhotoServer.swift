import Foundation
import Hummingbird
import LensData
import LensTensor
import LensTestSupport
import NIOCore

/// The web as a list's links meet it, on a free loopback port inside the test process:
/// - `/face/<person>/<image>` an ORL face (requests counted by path and query) (a 92x112 PGM photo), `/png` a made-up 120x100 RGB PNG;
/// - `/missing` 404, `/html` an HTML page, `/loop` a redirect to itself, `/hop` a redirect to a face;
/// - `/slow/<person>/<image>` a face after `slowDelay` seconds (or `?delay=S`); `/big` a body past any small cap,
///   `/trickle` the same without a Content-Length, sent in pieces;
/// - `/flaky/<key>` 503 on the first request for each key, a face after; `/down` always 500;
/// - `/gated/<person>/<image>` 404 until `open` is set: a link that comes back;
/// - `/held/<key>/<person>/<image>` a face once `held` no longer holds `key` (at most 600 s): a link in
///   flight for as long as a test needs, however late its task is woken.
final class PhotoServer: Sendable {
    let port: Int
    let requests: Locked<[String: Int]>
    let gateOpen: Locked<Bool>
    let slowDelay: Locked<Double>
    let held: Locked<Set<String>>

    static let shared = Task { try await PhotoServer() }

    var base: String { "http://127.0.0.1:\(port)" }

    /// EmbeddedORL unpacks its whole archive per call: each face is read once and kept.
    static let faces = Locked<[String: Data]>([:])
    static func face(_ person: Int, _ image: Int) throws -> Data {
        let key = "s\(person)/\(image).pgm"
        if let known = faces.withLock({ $0[key] }) { return known }
        let data = try EmbeddedORL.file(key)
        faces.withLock { $0[key] = data }
        return data
    }

    /// A 120x100 RGB picture: a white 40x40 square at (40, 30) on black.
    static let png: Data = {
        var pixels = [Float](repeating: 0, count: 120 * 100 * 3)
        for y in 30..<70 { for x in 40..<80 { for c in 0..<3 { pixels[(y * 120 + x) * 3 + c] = 1 } } }
        return (try? PNGEncoder.encode(Image(width: 120, height: 100, channels: 3, pixels: pixels))) ?? Data()
    }()

    private init() async throws {
        let requests = Locked<[String: Int]>([:]), gateOpen = Locked(false), slowDelay = Locked(600.0), held = Locked<Set<String>>([])
        (self.requests, self.gateOpen, self.slowDelay, self.held) = (requests, gateOpen, slowDelay, held)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        @Sendable func count(_ key: String) -> Int { requests.withLock { $0[key, default: 0] += 1; return $0[key]! } }
        @Sendable func faceResponse(_ context: BasicRequestContext) throws -> Response {
            let person = try context.parameters.require("person", as: Int.self), image = try context.parameters.require("image", as: Int.self)
            return Response(status: .ok, headers: [.contentType: "image/x-portable-graymap"], body: .init(byteBuffer: ByteBuffer(bytes: try Self.face(person, image))))
        }
        router.get("/face/:person/:image") { request, context in _ = count(request.uri.description); return try faceResponse(context) }
        router.get("/png") { _, _ in Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: Self.png))) }
        router.get("/missing") { _, _ in Response(status: .notFound) }
        router.get("/html") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<!DOCTYPE html><html><body>This photo is no longer available</body></html>")))
        }
        router.get("/loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        router.get("/hop") { _, _ in Response(status: .movedPermanently, headers: [.location: "/face/3/1"]) }
        router.get("/slow/:person/:image") { request, context in
            // `?delay=S` for one link's own delay, so that tests running at once never change each other's.
            let delay = request.uri.queryParameters.get("delay").flatMap(Double.init) ?? slowDelay.withLock { $0 }
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            return try faceResponse(context)
        }
        router.get("/held/:key/:person/:image") { _, context in
            let key = context.parameters.get("key") ?? ""
            for _ in 0..<6000 where held.withLock({ $0.contains(key) }) { try await Task.sleep(nanoseconds: 100_000_000) }
            return try faceResponse(context)
        }
        router.get("/big") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x41, count: 300_000))) }
        router.get("/trickle") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                for _ in 0..<30 { try await writer.write(ByteBuffer(repeating: 0x42, count: 10_000)) }
                try await writer.finish(nil)
            })
        }
        router.get("/flaky/:key") { _, context in
            let key = context.parameters.get("key") ?? ""
            return count("flaky-" + key) == 1 ? Response(status: .serviceUnavailable)
                : Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try Self.face(5, 1))))
        }
        router.get("/down") { _, _ in _ = count("down"); return Response(status: .internalServerError) }
        router.get("/gated/:person/:image") { _, context in
            gateOpen.withLock { $0 } ? try faceResponse(context) : Response(status: .notFound)
        }
        for person in 1...12 { for image in 1...6 { _ = try Self.face(person, image) } }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        // On threads of its own: the suite's long synchronous tests would starve it on the cooperative pool.
        Task(executorPreference: DedicatedExecutor.servers) { try await app.runService() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
        self.port = port
    }

    func count(of key: String) -> Int { requests.withLock { $0[key] ?? 0 } }
}

/// A value behind a lock (Synchronization's Mutex needs macOS 15; the package supports 13).
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
