package import Raft

/// A member executable's command line (`raft-member`, `store-member`): `--flag value` pairs, read
/// one flag at a time by the executable's own `switch`.
package struct MemberFlags {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    var rest: ArraySlice<String>

    package init(_ arguments: [String]) {
        rest = arguments[...]
    }

    /// The next flag, or nil at the end.
    package mutating func next() -> String? {
        rest.popFirst()
    }

    package mutating func value(_ flag: String) throws(Failure) -> String {
        guard let next = rest.popFirst() else { throw Failure(description: "\(flag) needs a value") }
        return next
    }

    package mutating func number<T: FixedWidthInteger>(_ flag: String) throws(Failure) -> T {
        let text = try value(flag)
        guard let parsed = T(text) else { throw Failure(description: "\(flag): not a number: \(text)") }
        return parsed
    }

    /// `--peer id=host:port`.
    package mutating func peer(_ flag: String) throws(Failure) -> (NodeID, TCPAddress) {
        let spec = try value(flag)
        let parts = spec.split(separator: "=")
        let hostPort = parts.count == 2 ? parts[1].split(separator: ":") : []
        guard parts.count == 2, let peer = NodeID(parts[0]), hostPort.count == 2, let port = UInt16(hostPort[1]) else {
            throw Failure(description: "\(flag) expects id=host:port, got \(spec)")
        }
        return (peer, TCPAddress(host: String(hostPort[0]), port: port))
    }

    package static func unknown(_ flag: String) -> Failure {
        Failure(description: "unknown flag \(flag)")
    }

    package static func missing(_ what: String) -> Failure {
        Failure(description: "\(what) required")
    }
}
