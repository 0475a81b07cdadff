import Foundation
import LensData

/// A loopback HTTP server on plain sockets that answers every GET with an ORL face after `delay`
/// seconds: slow enough to interrupt `lens dataset fetch` mid-run from a test.
final class SlowPhotoServer: @unchecked Sendable {
    let port: Int
    private let socket: Int32
    private let delay: Double

    init(delay: Double) throws {
        self.delay = delay
        #if os(Linux)
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let socket = Foundation.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && listen(socket, 64) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let body = try EmbeddedORL.file("s10/1.pgm")
        Thread.detachNewThread { [socket, delay] in
            while true {
                let client = accept(socket, nil, nil)
                guard client >= 0 else { return }
                Thread.detachNewThread {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(client, &buffer, buffer.count)
                    usleep(UInt32(delay * 1_000_000))
                    let answer = Data("HTTP/1.1 200 OK\r\nContent-Type: image/x-portable-graymap\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
                    answer.withUnsafeBytes { _ = write(client, $0.baseAddress, answer.count) }
                    close(client)
                }
            }
        }
    }

    deinit { close(socket) }
}
