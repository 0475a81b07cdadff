import Foundation
import NIOCore

/// A server that cannot start or stopped, and why, in the user's words (the CLI adds flag names).
public struct ServerError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Sendable, Equatable {
        /// Another program listens on this port.
        case portInUse(Int)
        /// The host is not an address (or a name) of this machine.
        case addressUnavailable(String)
        /// Ports below 1024 need privileges this process does not have.
        case portNeedsPrivileges(Int)
        case other(String)
    }

    public var reason: Reason

    public init(reason: Reason) { self.reason = reason }

    init(_ description: String) { reason = .other(description) }

    /// The error of a server that failed while starting or running, bind failures named.
    init(starting error: Error, configuration: ServerConfiguration) {
        if let error = error as? ServerError {
            self = error
        } else if error is SocketAddressError {
            reason = .addressUnavailable(configuration.host)
        } else {
            switch (error as? IOError)?.errnoCode {
            case EADDRINUSE: reason = .portInUse(configuration.port)
            case EADDRNOTAVAIL: reason = .addressUnavailable(configuration.host)
            case EACCES: reason = .portNeedsPrivileges(configuration.port)
            default: reason = .other("\(error)")
            }
        }
    }

    public var description: String {
        switch reason {
        case .portInUse(let port): "port \(port) is already in use"
        case .addressUnavailable(let host): "\(host) is not an address of this machine"
        case .portNeedsPrivileges(let port): "port \(port) needs privileges this user does not have (ports below 1024)"
        case .other(let text): text
        }
    }
}
