import Foundation

/// How `lens serve` listens: one owner for its defaults and checks, read by the CLI and the tests.
public struct ServerConfiguration: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    public static let defaultMaxUpload = 10 * 1024 * 1024
    /// `defaultMaxUpload` as `--max-upload` shows it (a test checks the two agree).
    public static let defaultMaxUploadText = "10MiB"
    /// A connection that sends nothing for this long is closed: one that never finishes its request
    /// head (no part of a request counts until the head is complete), or one left idle between
    /// requests. A request being answered (a training job's event stream) is not idle.
    public static let defaultIdleTimeout = Duration.seconds(10)
    /// Connections open at once; more wait to be accepted until one closes.
    public static let defaultMaxConnections = 100
    /// Host names a browser on this machine uses for a loopback server.
    public static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "[::1]"]

    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Largest request body accepted, in bytes.
    public var maxUpload: Int
    public var idleTimeout: Duration
    public var maxConnections: Int

    public init(host: String = defaultHost, port: Int = defaultPort, maxUpload: Int = defaultMaxUpload,
                idleTimeout: Duration = defaultIdleTimeout, maxConnections: Int = defaultMaxConnections) {
        self.host = host
        self.port = port
        self.maxUpload = maxUpload
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// Whether `host` is this machine's loopback, which no other machine can reach.
    public var isLoopback: Bool {
        let name = host.lowercased()
        return ["localhost", "::1", "[::1]"].contains(name) || name.hasPrefix("127.") && name.split(separator: ".").count == 4
    }

    /// Whether `host` is every interface of this machine (0.0.0.0 or ::).
    public var isEveryInterface: Bool {
        ["0.0.0.0", "::", "[::]"].contains(host)
    }

    /// Whether a request's Host header names this server: a loopback name or the configured host,
    /// with or without a port, or, listening on every interface, an address of one of them.
    /// Anything else (a name) may be a DNS-rebinding page and is refused.
    public func accepts(hostHeader: String?) -> Bool {
        guard let hostHeader, let name = Self.hostName(hostHeader) else { return false }
        let configured = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if Self.loopbackNames.contains(name) || name == configured.lowercased() { return true }
        return isEveryInterface && MachineAddresses.current().contains(name)
    }

    /// The host part of a Host header ("[::1]:8080" → "[::1]"), lowercased; nil when malformed.
    static func hostName(_ header: String) -> String? {
        let value = header.lowercased()
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            let rest = value[value.index(after: close)...]
            guard rest.isEmpty || Self.isPort(rest.dropFirst()) && rest.first == ":" else { return nil }
            return String(value[...close])
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return value.isEmpty ? nil : value
        case 2: return Self.isPort(parts[1]) && !parts[0].isEmpty ? String(parts[0]) : nil
        default: return nil
        }
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber)
    }

    /// "10MiB", "512KiB", "2MB", "1048576" as bytes; nil when it does not read as a size.
    public static func byteCount(_ text: String) -> Int? {
        let units: [(String, Int)] = [("gib", 1 << 30), ("mib", 1 << 20), ("kib", 1 << 10),
                                      ("gb", 1_000_000_000), ("mb", 1_000_000), ("kb", 1_000), ("b", 1)]
        let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where lowered.hasSuffix(suffix) {
            guard let number = Int(lowered.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return Int(lowered).flatMap { $0 >= 0 ? $0 : nil }
    }
}

/// The addresses of this machine's network interfaces, as they appear in a Host header
/// ("192.168.1.5", "[fe80::1]"). A server started on every interface (`--host 0.0.0.0` or `::`)
/// answers requests addressed to any of them: a browser on another machine names the address it
/// reached, and a page that rebinds a DNS name to this machine still sends its name, which is
/// refused.
public enum MachineAddresses {
    /// Read at each call: interfaces come and go while the server runs.
    public static func current() -> Set<String> {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0, let first else { return [] }
        defer { freeifaddrs(first) }
        var names: Set<String> = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let length = family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, socklen_t(length), &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            // A link-local IPv6 address comes with its interface ("fe80::1%eth0"), which no Host header carries.
            let text = String(cString: buffer).lowercased().split(separator: "%", maxSplits: 1).first.map(String.init) ?? ""
            names.insert(family == AF_INET6 ? "[\(text)]" : text)
        }
        return names
    }
}
