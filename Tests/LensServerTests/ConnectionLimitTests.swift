import Foundation
import LensServer
import LensStudio
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Half-sent requests and idle connections are closed after the idle timeout, also when there are
/// more of them than the server keeps open at once (the rest wait to be accepted, then time out).
@Suite struct ConnectionLimitTests {
    static let timeout = Duration.seconds(1)
    static let cap = 50

    /// A server of its own with a short timeout and a small cap, so that the test is quick.
    static func server() async throws -> RawHTTP {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lens-limits-\(UUID().uuidString)")
        let library = ModelLibrary(directory: folder)
        let port = try await TestServer.start(library: library, configuration: ServerConfiguration(port: 0, idleTimeout: timeout, maxConnections: cap))
        return RawHTTP(port: port)
    }

    @Test func halfSentAndIdleConnectionsAreClosed() async throws {
        let http = try await Self.server()
        // 200 requests cut off in their head, 20 connections that send nothing.
        let halfSent = Data("GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        let openings = (0..<200).map { _ in halfSent } + (0..<20).map { _ in Data() }
        let started = ContinuousClock.now
        // Every connection waits out at most its own timeout after the ones ahead of it leave.
        let limit = Self.timeout * (openings.count / Self.cap + 2) + .seconds(10)
        let stillOpen = try await RawSockets.closedWithin(port: http.port, sending: openings, limit: limit)
        let took = ContinuousClock.now - started
        #expect(stillOpen == 0, "\(stillOpen) of \(openings.count) connections still open after \(limit)")
        // Each waited at least the timeout: nothing was closed before it was idle that long.
        #expect(took >= Self.timeout, "closed after \(took)")
        // The server still answers.
        #expect(try await http.send("GET", "/api/models").status == 200)
    }

    @Test func aRequestSentInTimeIsAnswered() async throws {
        let http = try await Self.server()
        // Within the timeout, a request sent in two parts is one request.
        let answer = try await RawSockets.exchangeInParts(port: http.port, [
            Data("GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8),
            Data("Connection: close\r\n\r\n".utf8),
        ], pause: .milliseconds(300))
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(100))")
    }
}

/// Plain sockets for the tests that need connections a client library would never leave open.
enum RawSockets {
    static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTP.Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw RawHTTP.Failure(description: "connect to port \(port) failed")
        }
        return socket
    }

    static func send(_ socket: Int32, _ data: Data) {
        _ = data.withUnsafeBytes { bytes in bytes.baseAddress.map { Glibc.send(socket, $0, bytes.count, Int32(MSG_NOSIGNAL)) } }
    }

    /// Opens one connection per entry, sends its bytes, and waits until the server has closed them
    /// (end of stream or reset) or `limit` has passed; returns how many are still open.
    static func closedWithin(port: Int, sending openings: [Data], limit: Duration) async throws -> Int {
        try await onThread {
            var sockets: [Int32] = []
            defer { for socket in sockets { close(socket) } }
            for bytes in openings {
                let socket = try connect(port: port)
                sockets.append(socket)
                if !bytes.isEmpty { send(socket, bytes) }
            }
            var open = Set(sockets)
            let deadline = ContinuousClock.now + limit
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !open.isEmpty, ContinuousClock.now < deadline {
                var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                _ = poll(&polls, nfds_t(polls.count), 100)
                for entry in polls where entry.revents != 0 {
                    let n = recv(entry.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    // 0 is the server's close; an error is a reset. Bytes (an error answer) mean more may follow.
                    if n <= 0 && !(n < 0 && errno == EAGAIN) { open.remove(entry.fd) }
                }
            }
            return open.count
        }
    }

    /// Sends `parts` on one connection with a pause between them and reads the answer to the end.
    static func exchangeInParts(port: Int, _ parts: [Data], pause: Duration) async throws -> String {
        try await onThread {
            let socket = try connect(port: port)
            defer { close(socket) }
            for (index, part) in parts.enumerated() {
                if index > 0 { Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds)) }
                send(socket, part)
            }
            var answer = Data(), buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(socket, &buffer, buffer.count, 0)
                if n <= 0 { break }
                answer.append(contentsOf: buffer[0..<n])
            }
            return String(decoding: answer, as: UTF8.self)
        }
    }

    /// Blocking socket work stays off the cooperative pool the server runs on.
    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}
