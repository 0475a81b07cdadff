import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The originals from the web, through AsyncHTTPClient: http and https only, redirects followed up
/// to a limit (a loop is a dead link), each request bounded by a timeout from connecting to the
/// last byte, the body counted as it arrives and dropped past the size cap, and a few retries with
/// doubling waits after a connection error or a 5xx answer (a 4xx is final).
public final class HTTPSource: OriginalSource {
    let client: HTTPClient
    let settings: FetchSettings

    public init(settings: FetchSettings) {
        self.settings = settings
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: settings.maxRedirects, allowCycles: false),
            timeout: .init(connect: .milliseconds(Int64(settings.timeout * 1000)), read: .milliseconds(Int64(settings.timeout * 1000))))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.concurrency
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Must be called once the run is over.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Why a URL will not be requested (nil: it will).
    public static func refusal(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            return "\(text.isEmpty ? "the URL is empty" : "the URL does not parse")"
        }
        guard scheme == "http" || scheme == "https" else { return "only http and https links are fetched, not \(scheme):" }
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        return nil
    }

    public func original(for row: FetchRow, folder: String) async -> Result<Data, SourceFailure> {
        if let refusal = Self.refusal(row.url) { return .failure(SourceFailure(.refused, refusal)) }
        var attempt = 0
        while true {
            let result = await once(row.url)
            guard case .failure(let failure) = result, failure.retry, attempt < settings.retries, !Task.isCancelled else {
                return result.mapError(\.failure)
            }
            let delay = settings.retryDelay * pow(2, Double(attempt))
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            attempt += 1
        }
    }

    struct Attempt: Error {
        var failure: SourceFailure
        var retry: Bool
    }

    /// One request, raced against the timeout (AsyncHTTPClient's own deadline covers the head;
    /// this one covers a body that trickles too).
    private func once(_ url: String) async -> Result<Data, Attempt> {
        let timeout = settings.timeout
        return await withTaskGroup(of: Result<Data, Attempt>?.self) { group in
            group.addTask { await self.request(url) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return Task.isCancelled ? nil : .failure(Attempt(failure: SourceFailure(.timedOut, "no complete answer within \(Self.seconds(timeout))"), retry: false))
            }
            var answer: Result<Data, Attempt>?
            while answer == nil, let next = await group.next() { answer = next }
            group.cancelAll()
            return answer ?? .failure(Attempt(failure: SourceFailure(.interrupted, "stopped before the answer came"), retry: false))
        }
    }

    private func request(_ url: String) async -> Result<Data, Attempt> {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "lens-dataset-fetch")
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let failure = SourceFailure(.deadLink, "HTTP \(status) \(response.status.reasonPhrase)")
                return .failure(Attempt(failure: failure, retry: status >= 500))
            }
            if let declared = response.headers.first(name: "Content-Length").flatMap({ Int($0) }), declared > settings.maxBytes {
                return .failure(Attempt(failure: SourceFailure(.tooLarge, "the answer declares \(declared) bytes, more than the limit of \(settings.maxBytes)"), retry: false))
            }
            var data = Data()
            for try await chunk in response.body {
                guard data.count + chunk.readableBytes <= settings.maxBytes else {
                    return .failure(Attempt(failure: SourceFailure(.tooLarge, "the answer runs past the limit of \(settings.maxBytes) bytes"), retry: false))
                }
                data.append(contentsOf: chunk.readableBytesView)
            }
            return .success(data)
        } catch {
            return .failure(Self.classify(error, timeout: settings.timeout))
        }
    }

    /// A transport error as an outcome, and whether another try may help.
    static func classify(_ error: Error, timeout: Double) -> Attempt {
        if error is CancellationError { return Attempt(failure: SourceFailure(.interrupted, "stopped before the answer came"), retry: false) }
        if let error = error as? HTTPClientError {
            switch error {
            case .redirectCycleDetected: return Attempt(failure: SourceFailure(.deadLink, "the redirects go round in a loop"), retry: false)
            case .redirectLimitReached: return Attempt(failure: SourceFailure(.deadLink, "too many redirects"), retry: false)
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout:
                return Attempt(failure: SourceFailure(.timedOut, "no complete answer within \(seconds(timeout))"), retry: false)
            case .cancelled: return Attempt(failure: SourceFailure(.interrupted, "stopped before the answer came"), retry: false)
            case .invalidURL, .emptyHost, .emptyScheme:
                return Attempt(failure: SourceFailure(.refused, "the URL cannot be requested (\(error))"), retry: false)
            default: break
            }
        }
        if let error = error as? NIOConnectionError {
            let cause = error.connectionErrors.first.map { "\($0.error)" } ?? (error.dnsAError ?? error.dnsAAAAError).map { "\($0)" } ?? "no address"
            return Attempt(failure: SourceFailure(.deadLink, "cannot connect to \(error.host): \(cause)"), retry: true)
        }
        return Attempt(failure: SourceFailure(.deadLink, "the connection failed: \(error)"), retry: true)
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded())) ms" : value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
