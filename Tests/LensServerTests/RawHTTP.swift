import Foundation
import LensStudio
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a plain socket, so that tests control every header (a browser
/// or URLSession would not send a forged Host) and see the server's raw answer.
struct RawHTTP {
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try StudioJSON.decoder().decode(T.self, from: body) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let port: Int

    /// Sends one request and reads the answer to the end (the connection is closed after it).
    /// `host` nil sends no Host header; `chunked` sends the body without a Content-Length. A POST
    /// without a Content-Type in `headers` is sent with the one its route reads (JSON for the
    /// training routes, raw bytes for uploads) unless `bare` says to send none.
    func send(_ method: String, _ path: String, host: String? = "default", headers: [String: String] = [:],
              body: Data? = nil, chunked: Bool = false, bare: Bool = false) async throws -> Answer {
        let port = port
        var headers = headers
        if !bare, !["GET", "HEAD"].contains(method), !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
            headers["Content-Type"] = path.hasPrefix("/api/train") ? "application/json" : "application/octet-stream"
        }
        let sent = headers
        return try await withCheckedThrowingContinuation { continuation in
            // Blocking socket calls stay off the cooperative pool the server also runs on.
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try Self.exchange(port: port, method: method, path: path,
                                      host: host == "default" ? "127.0.0.1:\(port)" : host,
                                      headers: sent, body: body, chunked: chunked)
                })
            }
        }
    }

    private static func exchange(port: Int, method: String, path: String, host: String?, headers: [String: String],
                                 body: Data?, chunked: Bool) throws -> Answer {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port) failed") }
        var head = "\(method) \(path) HTTP/1.1\r\n"
        if let host { head += "Host: \(host)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        var request = Data(head.utf8)
        if let body {
            if chunked {
                var offset = 0
                while offset < body.count {
                    let piece = body[offset..<min(offset + 65536, body.count)]
                    request += Data((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Data("\r\n".utf8)
                    offset += piece.count
                }
                request += Data("0\r\n\r\n".utf8)
            } else {
                request += body
            }
        }
        // The server may answer (413) and close before the whole body is sent: a failed write is
        // not an error as long as an answer can be read.
        _ = request.withUnsafeBytes { bytes -> Int in
            var sent = 0
            while sent < bytes.count {
                let n = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                sent += n
            }
            return sent
        }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(socket, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        return try parse(response)
    }

    private static func parse(_ response: Data) throws -> Answer {
        guard let end = response.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "no complete answer (\(response.count) bytes)")
        }
        let lines = String(decoding: response[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(response[end.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = dechunk(body) }
        return Answer(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) -> Data {
        var result = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
            let stop = rest.index(start, offsetBy: size)
            result += rest[start..<stop]
            rest = rest[min(rest.index(stop, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex, rest.endIndex)...]
        }
        return result
    }
}
