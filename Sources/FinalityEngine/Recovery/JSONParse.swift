/// Reading JSON back (the audit log): the engine's `JSON` writes, this parses.
extension JSON {
    public subscript(key: String) -> JSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let n): n
        case .uint(let n): Int64(exactly: n)
        default: nil
        }
    }

    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

extension JSON {
    /// Parses the JSON this module writes (and ordinary JSON): for reading audit logs back.
    public static func parse(_ text: String) -> JSON? {
        var p = Parser(Array(text.utf8))
        guard let v = p.value() else { return nil }
        p.skipSpace()
        return p.i == p.s.count ? v : nil
    }

    struct Parser {
        let s: [UInt8]
        var i = 0
        init(_ s: [UInt8]) { self.s = s }

        mutating func skipSpace() {
            while i < s.count, [0x20, 0x0A, 0x0D, 0x09].contains(s[i]) { i += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= s.count, Array(s[i..<i + w.count]) == w else { return false }
            i += w.count
            return true
        }

        mutating func value() -> JSON? {
            skipSpace()
            guard i < s.count else { return nil }
            switch s[i] {
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "["):
                i += 1
                var items = [JSON]()
                skipSpace()
                if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    guard let v = value() else { return nil }
                    items.append(v)
                    skipSpace()
                    guard i < s.count else { return nil }
                    if s[i] == UInt8(ascii: ",") { i += 1; continue }
                    if s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "{"):
                i += 1
                var pairs = [(String, JSON)]()
                skipSpace()
                if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard i < s.count, s[i] == UInt8(ascii: "\""), let k = string() else { return nil }
                    skipSpace()
                    guard i < s.count, s[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value() else { return nil }
                    pairs.append((k, v))
                    skipSpace()
                    guard i < s.count else { return nil }
                    if s[i] == UInt8(ascii: ",") { i += 1; continue }
                    if s[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                    return nil
                }
            default:
                let start = i
                if s[i] == UInt8(ascii: "-") { i += 1 }
                while i < s.count, s[i] >= 48, s[i] <= 57 { i += 1 }
                guard i > start, let n = Int64(String(decoding: s[start..<i], as: UTF8.self)) else { return nil }
                return .int(n)
            }
        }

        mutating func string() -> String? {
            i += 1
            var bytes = [UInt8]()
            while i < s.count {
                let c = s[i]
                i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard i < s.count else { return nil }
                    let e = s[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= s.count, let v = UInt32(String(decoding: s[i..<i + 4], as: UTF8.self), radix: 16),
                            let scalar = Unicode.Scalar(v)
                        else { return nil }
                        i += 4
                        bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: bytes.append(e)
                    }
                } else {
                    bytes.append(c)
                }
            }
            return nil
        }
    }
}
