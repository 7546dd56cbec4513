// Kubernetes' label selector grammar (`labels.Parse`): lexer and recursive-descent parser.

extension LabelQuery {
    /// Parses a label selector string with Kubernetes' grammar (`labels.Parse`).
    ///
    /// Comma-separated requirements: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
    /// `k` (exists), `!k` (does not exist), `k>5` and `k<5` (integers). Whitespace around tokens is
    /// ignored; an empty string is ``everything``. Keys must be qualified names and values valid
    /// label values; `in ()` means the empty value.
    ///
    /// - Parameter selector: The selector text.
    /// - Throws: ``SelectorError`` naming the offending token or the invalid key or value.
    public init(parsing selector: String) throws(SelectorError) {
        var parser = LabelSelectorParser(selector)
        self.init(requirements: try parser.parse())
    }
}

/// A lexical token of a label selector.
private enum LabelToken: Equatable {
    case identifier
    case inKeyword
    case notInKeyword
    case doesNotExist
    case equals
    case doubleEquals
    case notEquals
    case greaterThan
    case lessThan
    case openParen
    case closeParen
    case comma
    case end
}

/// Whether the parser expects a key and operator (where `in` and `notin` are keywords) or values
/// (where they are plain identifiers).
private enum LabelParserContext {
    case keyAndOperator
    case values
}

private struct LabelSelectorParser {
    private var tokens: [(token: LabelToken, literal: String)] = []
    private var position = 0

    init(_ selector: String) {
        tokens = LabelSelectorParser.lex(Array(selector.utf8))
    }

    mutating func parse() throws(SelectorError) -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        while true {
            let (token, literal) = lookahead(.values)
            switch token {
            case .identifier, .doesNotExist:
                requirements.append(try parseRequirement())
                let (next, nextLiteral) = consume(.values)
                switch next {
                case .end:
                    return requirements
                case .comma:
                    let (following, followingLiteral) = lookahead(.values)
                    if following != .identifier && following != .doesNotExist {
                        throw syntax("found \(quoted(followingLiteral, following)), expected: identifier after ','")
                    }
                default:
                    throw syntax("found \(quoted(nextLiteral, next)), expected: ',' or 'end of string'")
                }
            case .end:
                return requirements
            default:
                throw syntax("found \(quoted(literal, token)), expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(SelectorError) -> LabelRequirement {
        var (token, literal) = consume(.values)
        var unary: LabelRequirement.Operator?
        if token == .doesNotExist {
            unary = .doesNotExist
            (token, literal) = consume(.values)
        }
        guard token == .identifier else {
            throw syntax("unable to parse requirement: found \(quoted(literal, token)), expected: identifier")
        }
        let key = literal
        if let problem = LabelRequirement.keyProblem(key) {
            throw problem
        }
        let next = lookahead(.values).token
        if unary == nil && (next == .end || next == .comma) {
            unary = .exists
        }
        if let unary {
            return try LabelRequirement(key: key, operator: unary, values: [])
        }
        let op = try parseOperator()
        let values: [String]
        switch op {
        case .in, .notIn:
            values = try parseValues()
        default:
            values = try parseExactValue()
        }
        return try LabelRequirement(key: key, operator: op, values: values)
    }

    private mutating func parseOperator() throws(SelectorError) -> LabelRequirement.Operator {
        let (token, literal) = consume(.keyAndOperator)
        switch token {
        case .inKeyword: return .in
        case .notInKeyword: return .notIn
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .notEquals: return .notEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        default:
            throw syntax(
                "unable to parse requirement: found \(quoted(literal, token)), expected: "
                    + "in, notin, =, ==, !=, gt, lt"
            )
        }
    }

    private mutating func parseValues() throws(SelectorError) -> [String] {
        let (token, literal) = consume(.values)
        guard token == .openParen else {
            throw syntax("unable to parse requirement: found \(quoted(literal, token)), expected: '('")
        }
        let (next, nextLiteral) = lookahead(.values)
        switch next {
        case .identifier, .comma:
            let values = try parseIdentifierList()
            let (close, closeLiteral) = consume(.values)
            guard close == .closeParen else {
                throw syntax("unable to parse requirement: found \(quoted(closeLiteral, close)), expected: ')'")
            }
            return values
        case .closeParen:
            _ = consume(.values)
            return [""]
        default:
            throw syntax(
                "unable to parse requirement: found \(quoted(nextLiteral, next)), expected: ',', ')' or identifier"
            )
        }
    }

    private mutating func parseIdentifierList() throws(SelectorError) -> [String] {
        var values: [String] = []
        while true {
            let (token, literal) = consume(.values)
            switch token {
            case .identifier:
                values.append(literal)
                let (next, nextLiteral) = lookahead(.values)
                switch next {
                case .comma:
                    continue
                case .closeParen:
                    return values
                default:
                    throw syntax(
                        "unable to parse requirement: found \(quoted(nextLiteral, next)), expected: ',' or ')'"
                    )
                }
            case .comma:
                // `(,`, `,,` and `,)` stand for the empty value.
                if values.isEmpty {
                    values.append("")
                }
                let next = lookahead(.values).token
                if next == .closeParen {
                    values.append("")
                    return values
                }
                if next == .comma {
                    _ = consume(.values)
                    values.append("")
                }
            default:
                throw syntax(
                    "unable to parse requirement: found \(quoted(literal, token)), expected: ',', or identifier"
                )
            }
        }
    }

    private mutating func parseExactValue() throws(SelectorError) -> [String] {
        let next = lookahead(.values).token
        if next == .end || next == .comma {
            return [""]
        }
        let (token, literal) = consume(.values)
        guard token == .identifier else {
            throw syntax("unable to parse requirement: found \(quoted(literal, token)), expected: identifier")
        }
        return [literal]
    }

    // MARK: Tokens

    private func lookahead(_ context: LabelParserContext) -> (token: LabelToken, literal: String) {
        let item = position < tokens.count ? tokens[position] : (.end, "")
        return LabelSelectorParser.inContext(item, context)
    }

    private mutating func consume(_ context: LabelParserContext) -> (token: LabelToken, literal: String) {
        let item = lookahead(context)
        if position < tokens.count {
            position += 1
        }
        return item
    }

    private static func inContext(
        _ item: (token: LabelToken, literal: String),
        _ context: LabelParserContext
    ) -> (token: LabelToken, literal: String) {
        if context == .values && (item.token == .inKeyword || item.token == .notInKeyword) {
            return (.identifier, item.literal)
        }
        return item
    }

    private func syntax(_ message: String) -> SelectorError {
        SelectorError(code: .syntax, message: message)
    }

    private func quoted(_ literal: String, _ token: LabelToken) -> String {
        token == .end ? "end of string" : "'\(literal)'"
    }

    // MARK: Lexer

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
            UInt8(ascii: ">"), UInt8(ascii: "<"):
            true
        default:
            false
        }
    }

    private static func lex(_ bytes: [UInt8]) -> [(token: LabelToken, literal: String)] {
        var tokens: [(token: LabelToken, literal: String)] = []
        var index = 0
        while true {
            while index < bytes.count && isWhitespace(bytes[index]) {
                index += 1
            }
            // Kubernetes' lexer also stops at a NUL byte.
            guard index < bytes.count && bytes[index] != 0 else {
                tokens.append((.end, ""))
                return tokens
            }
            let byte = bytes[index]
            if isSpecial(byte) {
                let next: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 0
                if byte == UInt8(ascii: "!") && next == UInt8(ascii: "=") {
                    tokens.append((.notEquals, "!="))
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "=") && next == UInt8(ascii: "=") {
                    tokens.append((.doubleEquals, "=="))
                    index += 2
                    continue
                }
                let token: LabelToken =
                    switch byte {
                    case UInt8(ascii: "="): .equals
                    case UInt8(ascii: "!"): .doesNotExist
                    case UInt8(ascii: "("): .openParen
                    case UInt8(ascii: ")"): .closeParen
                    case UInt8(ascii: ","): .comma
                    case UInt8(ascii: ">"): .greaterThan
                    default: .lessThan
                    }
                tokens.append((token, String(decoding: [byte], as: UTF8.self)))
                index += 1
                continue
            }
            let start = index
            while index < bytes.count && bytes[index] != 0 && !isWhitespace(bytes[index]) && !isSpecial(bytes[index]) {
                index += 1
            }
            let literal = String(decoding: bytes[start..<index], as: UTF8.self)
            switch literal {
            case "in": tokens.append((.inKeyword, literal))
            case "notin": tokens.append((.notInKeyword, literal))
            default: tokens.append((.identifier, literal))
            }
        }
    }
}
