/// What an ``Authenticator`` concluded about a request.
public enum AuthenticationResult: Sendable, Hashable {
    /// The credentials identify this user.
    case authenticated(UserInfo)
    /// The request carries no credentials this authenticator understands (the next one may try).
    case noCredentials
    /// The request carries credentials of this kind that are not valid (401 Unauthorized).
    case failed(String)

    /// The user, when authenticated.
    public var user: UserInfo? {
        if case .authenticated(let user) = self { return user }
        return nil
    }
}

/// Establishes who made a request from its headers.
public protocol Authenticator: Sendable {
    func authenticate(headers: [(name: String, value: String)]) async -> AuthenticationResult
}

/// Header lookup and `Authorization: Bearer` parsing shared by the authenticators.
public enum AuthenticationHeaders {
    /// The first value of a header, its name compared case-insensitively (ASCII).
    public static func value(_ name: String, in headers: [(name: String, value: String)]) -> String? {
        for header in headers where asciiCaseInsensitiveEquals(header.name, name) { return header.value }
        return nil
    }

    /// The bearer token of `Authorization: Bearer <token>`, parsed as Kubernetes does: the header is
    /// trimmed, split on single spaces into at most three parts, the scheme compared case-insensitively,
    /// and an empty token (`Bearer  x`, `Bearer `) counts as no token.
    public static func bearerToken(in headers: [(name: String, value: String)]) -> String? {
        guard let raw = value("Authorization", in: headers) else { return nil }
        let auth = raw.trimmingASCIIWhitespace()
        guard !auth.isEmpty else { return nil }
        let parts = auth.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, asciiCaseInsensitiveEquals(parts[0], "bearer") else { return nil }
        let token = parts[1]
        return token.isEmpty ? nil : String(token)
    }

    static func asciiCaseInsensitiveEquals(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let a = lhs.utf8
        let b = rhs.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}

/// Bearer tokens mapped to users, like kube-apiserver's `--token-auth-file`. Authenticated users also get
/// `system:authenticated` (unless they already are in it or in `system:unauthenticated`).
public struct StaticTokenAuthenticator: Authenticator {
    public let users: [String: UserInfo]

    /// - Parameter tokens: token → user.
    public init(tokens: [String: UserInfo]) {
        users = tokens.mapValues(Self.addingAuthenticatedGroup)
    }

    /// Reads a token file: CSV lines `token,user,uid[,"group1,group2"]`. Lines with an empty token are
    /// skipped; a later duplicate token wins.
    /// - Throws: ``TokenFileError`` when a line has fewer than three columns or a quote is unterminated.
    public init(tokenFile text: String) throws(TokenFileError) {
        var tokens: [String: UserInfo] = [:]
        for (lineNumber, record) in try CSVRecords.parse(text) {
            guard record.count >= 3 else {
                throw TokenFileError(
                    message: "token file must have at least 3 columns (token, user name, user uid), found "
                        + "\(record.count) on line \(lineNumber)")
            }
            guard !record[0].isEmpty else { continue }
            var user = UserInfo(name: record[1], uid: record[2])
            if record.count >= 4 {
                user.groups = record[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            tokens[record[0]] = user
        }
        self.init(tokens: tokens)
    }

    public func authenticate(headers: [(name: String, value: String)]) async -> AuthenticationResult {
        authenticateSync(headers: headers)
    }

    /// The synchronous core of ``authenticate(headers:)``.
    public func authenticateSync(headers: [(name: String, value: String)]) -> AuthenticationResult {
        guard let token = AuthenticationHeaders.bearerToken(in: headers) else { return .noCredentials }
        guard let user = users[token] else { return .failed("invalid bearer token") }
        return .authenticated(user)
    }

    static func addingAuthenticatedGroup(_ user: UserInfo) -> UserInfo {
        if user.groups.contains(where: { $0 == UserInfo.authenticatedGroup || $0 == UserInfo.unauthenticatedGroup }) {
            return user
        }
        var user = user
        user.groups.append(UserInfo.authenticatedGroup)
        return user
    }
}

/// A malformed token file.
public struct TokenFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Authenticates every request as ``UserInfo/anonymous`` (kube-apiserver's `--anonymous-auth`). Put it last
/// in a ``UnionAuthenticator`` with `failOnError: true` so invalid credentials still answer 401.
public struct AnonymousAuthenticator: Authenticator {
    public init() {}

    public func authenticate(headers: [(name: String, value: String)]) async -> AuthenticationResult {
        .authenticated(.anonymous)
    }
}

/// Tries authenticators in order; the first that authenticates wins.
///
/// With `failOnError` false (Kubernetes `union.New`) a failure is remembered and the next authenticator
/// tried; if none authenticates the failures are reported together. With `failOnError` true
/// (`union.NewFailOnError`, how kube-apiserver adds the anonymous authenticator) the first failure ends the
/// search.
public struct UnionAuthenticator: Authenticator {
    public let authenticators: [any Authenticator]
    public let failOnError: Bool

    public init(_ authenticators: [any Authenticator], failOnError: Bool = false) {
        self.authenticators = authenticators
        self.failOnError = failOnError
    }

    public func authenticate(headers: [(name: String, value: String)]) async -> AuthenticationResult {
        var failures: [String] = []
        for authenticator in authenticators {
            switch await authenticator.authenticate(headers: headers) {
            case .authenticated(let user):
                return .authenticated(user)
            case .noCredentials:
                continue
            case .failed(let reason):
                if failOnError { return .failed(reason) }
                failures.append(reason)
            }
        }
        if failures.isEmpty { return .noCredentials }
        return .failed(failures.count == 1 ? failures[0] : "[" + failures.joined(separator: ", ") + "]")
    }
}

/// Minimal CSV reading as Go's `encoding/csv` does it for token files: quoted fields with doubled quotes,
/// blank lines skipped, `\r\n` accepted.
enum CSVRecords {
    static func parse(_ text: String) throws(TokenFileError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false
        var scalars = Array(text.unicodeScalars)
        scalars.append("\n")
        var index = 0
        while index < scalars.count {
            let c = scalars[index]
            if inQuotes {
                if c == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
                fieldStarted = true
            } else if c == "," {
                fields.append(field)
                field = ""
                fieldStarted = true
            } else if c == "\n" {
                if fieldStarted || !field.isEmpty || !fields.isEmpty {
                    fields.append(field)
                    records.append((recordLine, fields))
                }
                fields = []
                field = ""
                fieldStarted = false
                line += 1
                recordLine = line
            } else if c == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" {
                // dropped: the "\n" ends the record
            } else {
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
            index += 1
        }
        if inQuotes {
            throw TokenFileError(message: "token file has an unterminated quoted field on line \(recordLine)")
        }
        return records
    }
}
