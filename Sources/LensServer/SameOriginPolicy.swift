import Foundation
import LensTensor

/// Who may change things: a state-changing request (anything but GET, HEAD and OPTIONS) is
/// accepted only from this server's own pages or from a client that is not a browser.
///
/// A page on another site can make the user's browser send a POST here: a form, a `fetch` with
/// `mode: "no-cors"`, a `text/plain` body. The browser then names the page's origin in `Origin`
/// (or `Referer`) and can send only the CORS-safelisted body types without asking first, and this
/// server never answers such a question. So a state-changing request must carry a body type that
/// a foreign page cannot send unasked, and an origin that is this server's own or none at all
/// (curl and scripts send neither header).
public enum SameOriginPolicy {
    /// The body types the API reads: JSON, and images (or raw bytes) for the upload routes.
    public static let acceptedTypesText = "application/json, or image/* or application/octet-stream for an upload"

    /// Methods that change nothing and are never checked here.
    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS"]

    /// Why the request is refused, or nil when it may go on. `authority` is the request's Host,
    /// already checked to name this server; the server's own origin is `http://` + that host.
    public static func refusal(method: String, authority: String?, origin: String?, referer: String?,
                               fetchSite: String?, contentType: String?) -> String? {
        guard !safeMethods.contains(method.uppercased()) else { return nil }
        let own = ownOrigin(authority)
        if let origin {
            let claimed = origin.trimmingCharacters(in: .whitespaces).lowercased()
            if claimed == "null" {
                return "a \(method) from a page with a hidden origin (Origin: null) is refused: only this server's own pages may change anything"
            }
            guard let own, normalized(claimed) == own else {
                return "a \(method) from another site (Origin: \(printable(origin))) is refused: only this server's own pages may change anything"
            }
        } else if let referer {
            guard let own, normalized(refererOrigin(referer.lowercased())) == own else {
                return "a \(method) from another site (Referer: \(printable(referer))) is refused: only this server's own pages may change anything"
            }
        }
        if let fetchSite, !["same-origin", "none"].contains(fetchSite.lowercased()) {
            return "a \(method) sent by a \(printable(fetchSite)) page (Sec-Fetch-Site) is refused: only this server's own pages may change anything"
        }
        guard let contentType else {
            return "a \(method) needs a Content-Type: \(acceptedTypesText)"
        }
        guard isAccepted(contentType) else {
            return "a \(method) with Content-Type \(printable(contentType)) is refused: send \(acceptedTypesText)"
        }
        return nil
    }

    /// Whether the body type is one the API reads; none of these can come from another site's page
    /// without the browser first asking this server, which never agrees.
    static func isAccepted(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if media == "application/json" || media == "application/octet-stream" { return true }
        return media.hasPrefix("image/") && media.count > "image/".count
    }

    /// "http://" + the Host header, lowercased and without the default port; nil without a Host.
    static func ownOrigin(_ authority: String?) -> String? {
        guard let authority, !authority.isEmpty else { return nil }
        return normalized("http://" + authority.lowercased())
    }

    /// An origin without the default port ("http://localhost:80" and "http://localhost" are one).
    static func normalized(_ origin: String) -> String {
        origin.hasSuffix(":80") ? String(origin.dropLast(3)) : origin
    }

    /// The scheme and authority of a Referer URL ("http://h:1/train?x" → "http://h:1").
    static func refererOrigin(_ referer: String) -> String {
        guard let schemeEnd = referer.range(of: "://") else { return referer }
        let rest = referer[schemeEnd.upperBound...]
        let end = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        return String(referer[..<end])
    }

    /// A header value as it may appear in a one-line message: control characters escaped, cut short.
    static func printable(_ value: String) -> String {
        let escaped = OneLine.escape(value)
        return escaped.count > 100 ? String(escaped.prefix(100)) + "…" : escaped
    }
}
