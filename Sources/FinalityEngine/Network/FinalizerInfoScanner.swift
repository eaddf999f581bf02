import FinalityFormat

/// A fast reader of `get_finalizer_info` for the network view's refresh (a policy of 1,000
/// finalizers is a 640 kB answer, read every second or two): one pass over the bytes, no
/// intermediate tree, each key text decoded once. It reads only the plain shape nodeos
/// writes (strings without escapes, whole numbers, each member once) and answers nil for
/// anything else, and for anything the checks would refuse: the caller then parses with
/// `NodeAPI.parseFinalizerInfo`, the reference, which gives the same result or the error
/// naming the field. Tests check that both give equal answers.
enum FinalizerInfoScanner {
    static func scan(_ bytes: [UInt8], url: String) -> FinalizerInfo? {
        bytes.withUnsafeBufferPointer { buffer in
            var s = Scanner(b: buffer)
            s.known = KeyCache.shared.snapshot()
            let info = s.document(url: url)
            KeyCache.shared.add(s.keys)
            return info
        }
    }

    /// Key texts already decoded (and checksum-checked) by earlier refreshes: a watch asks
    /// for the same policy every second, and decoding 1,000 key texts is half of reading
    /// the answer. Bounded: emptied when it would pass `limit` keys.
    final class KeyCache: @unchecked Sendable {
        static let shared = KeyCache()
        static let limit = 20_000
        private let lock = Lock()
        private var keys = [String: BLSPublicKey]()

        func snapshot() -> [String: BLSPublicKey] { lock.withLock { keys } }

        func add(_ new: [String: BLSPublicKey]) {
            guard !new.isEmpty else { return }
            lock.withLock {
                if keys.count + new.count > Self.limit { keys.removeAll() }
                keys.merge(new) { a, _ in a }
            }
        }
    }

    /// `NodeAPI.parseFinalizerInfo`, through the fast reader when it can.
    static func parse(_ bytes: [UInt8], url: String) throws(NodeAPIError) -> FinalizerInfo {
        if let info = scan(bytes, url: url) { return info }
        return try NodeAPI.parseFinalizerInfo(bytes, url: url)
    }

    struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        /// Keys decoded by this scan.
        var keys = [String: BLSPublicKey]()
        /// Keys decoded by earlier scans (KeyCache).
        var known = [String: BLSPublicKey]()

        init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

        mutating func space() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func take(_ c: UInt8) -> Bool {
            space()
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        mutating func peek() -> UInt8? {
            space()
            return i < b.count ? b[i] : nil
        }

        mutating func literal(_ word: StaticString) -> Bool {
            space()
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count else { return false }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        /// A string without escapes or controls, as its raw bytes' range.
        mutating func rawString() -> Range<Int>? {
            guard take(0x22) else { return nil }
            let start = i
            while i < b.count {
                let c = b[i]
                if c == 0x22 {
                    i += 1
                    return start..<(i - 1)
                }
                if c == 0x5C || c < 0x20 { return nil }
                i += 1
            }
            return nil
        }

        mutating func string() -> String? {
            guard let r = rawString() else { return nil }
            // Bytes that are not UTF-8 would be repaired by String(decoding:): the reference decides.
            guard let s = String(validating: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) else { return nil }
            return s
        }

        /// nil for JSON null, .some(nil) for a failure.
        mutating func optionalString() -> String?? {
            if peek() == 0x6E { return literal("null") ? .some(nil) : nil }
            guard let s = string() else { return nil }
            return .some(s)
        }

        /// A whole number, or a string of decimal digits (as NodeUnsigned reads them).
        mutating func unsigned<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T? {
            space()
            guard i < b.count else { return nil }
            var quoted = false
            if b[i] == 0x22 {
                quoted = true
                i += 1
            }
            let start = i
            var v: T = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(T(b[i] - 0x30))
                guard !o1, !o2 else { return nil }
                v = a
                i += 1
            }
            guard i > start, i - start <= 20 else { return nil }
            if quoted {
                guard i < b.count, b[i] == 0x22 else { return nil }
                i += 1
            } else if !quoted, i - start > 1, b[start] == 0x30 {
                return nil  // a leading zero: let the reference decide
            } else if i < b.count, b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 {
                return nil
            }
            return v
        }

        mutating func optionalUnsigned<T: FixedWidthInteger & UnsignedInteger>(_ t: T.Type) -> T?? {
            if peek() == 0x6E { return literal("null") ? .some(nil) : nil }
            guard let v = unsigned(t) else { return nil }
            return .some(v)
        }

        mutating func bool() -> Bool? {
            if literal("true") { return true }
            if literal("false") { return false }
            return nil
        }

        /// Skips any JSON value (members nodeos adds that this tool does not read).
        mutating func skip(depth: Int = 0) -> Bool {
            guard depth < 64, let c = peek() else { return false }
            switch c {
            case 0x22:
                guard take(0x22) else { return false }
                while i < b.count {
                    if b[i] == 0x5C { i += 2; continue }
                    if b[i] == 0x22 { i += 1; return true }
                    i += 1
                }
                return false
            case 0x7B, 0x5B:
                let close: UInt8 = c == 0x7B ? 0x7D : 0x5D
                i += 1
                if take(close) { return true }
                repeat {
                    if c == 0x7B {
                        guard rawString() != nil, take(0x3A) else { return false }
                    }
                    guard skip(depth: depth + 1) else { return false }
                } while take(0x2C)
                return take(close)
            case 0x74: return literal("true")
            case 0x66: return literal("false")
            case 0x6E: return literal("null")
            default:
                let start = i
                while i < b.count, (0x30...0x39).contains(b[i]) || b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 { i += 1 }
                return i > start
            }
        }

        /// Members of an object: calls `member` with each name's bytes; false stops.
        mutating func object(_ member: (inout Scanner, Range<Int>) -> Bool) -> Bool {
            guard take(0x7B) else { return false }
            if take(0x7D) { return true }
            repeat {
                guard let name = rawString(), take(0x3A), member(&self, name) else { return false }
            } while take(0x2C)
            return take(0x7D)
        }

        mutating func array(_ element: (inout Scanner) -> Bool) -> Bool {
            guard take(0x5B) else { return false }
            if take(0x5D) { return true }
            repeat {
                guard element(&self) else { return false }
            } while take(0x2C)
            return take(0x5D)
        }

        func named(_ r: Range<Int>, _ name: StaticString) -> Bool {
            guard r.count == name.utf8CodeUnitCount else { return false }
            for k in 0..<r.count where b[r.lowerBound + k] != name.utf8Start[k] { return false }
            return true
        }

        /// The key of this text, decoded once per answer; nil when it does not parse (the
        /// reference then says why, or keeps the text).
        mutating func key(_ text: String) -> BLSPublicKey? {
            if let k = known[text] ?? keys[text] { return k }
            guard let k = try? BLSPublicKey(text: text) else { return nil }
            keys[text] = k
            return k
        }

        mutating func policy() -> FinalizerPolicyInfo?? {
            if peek() == 0x6E { return literal("null") ? .some(nil) : nil }
            var p = FinalizerPolicyInfo(generation: nil, threshold: nil, finalizers: [])
            var seen = 0
            var hasFinalizers = false
            let ok = object { s, name in
                if s.named(name, "generation") {
                    guard seen & 1 == 0, let g = s.optionalUnsigned(UInt32.self) else { return false }
                    seen |= 1
                    p.generation = g
                } else if s.named(name, "threshold") {
                    guard seen & 2 == 0, let t = s.optionalUnsigned(UInt64.self) else { return false }
                    seen |= 2
                    p.threshold = t
                } else if s.named(name, "finalizers") {
                    guard !hasFinalizers else { return false }
                    hasFinalizers = true
                    return s.array { s in
                        var description: String??
                        var weight: UInt64??
                        var text: String?
                        let ok = s.object { s, name in
                            if s.named(name, "description") {
                                guard description == nil, let d = s.optionalString() else { return false }
                                description = .some(d)
                            } else if s.named(name, "weight") {
                                guard weight == nil, let w = s.optionalUnsigned(UInt64.self) else { return false }
                                weight = .some(w)
                            } else if s.named(name, "public_key") {
                                guard text == nil, let t = s.string() else { return false }
                                text = t
                            } else {
                                return s.skip()
                            }
                            return true
                        }
                        guard ok, let text, let key = s.key(text) else { return false }
                        p.finalizers.append(.init(description: description ?? nil, weight: weight ?? nil, publicKeyText: text, publicKey: key))
                        return true
                    }
                } else {
                    return s.skip()
                }
                return true
            }
            guard ok, hasFinalizers else { return nil }
            return .some(p)
        }

        mutating func vote() -> TrackedVote? {
            var text: String?
            var description: String??
            var strong: Bool?
            var generation: UInt32??
            var number: UInt32?
            var id: Bytes32?
            var time: BlockTimestamp?
            let ok = object { s, name in
                if s.named(name, "public_key") {
                    guard text == nil, let t = s.string() else { return false }
                    text = t
                } else if s.named(name, "description") {
                    guard description == nil, let d = s.optionalString() else { return false }
                    description = .some(d)
                } else if s.named(name, "is_vote_strong") {
                    guard strong == nil, let v = s.bool() else { return false }
                    strong = v
                } else if s.named(name, "finalizer_policy_generation") {
                    guard generation == nil, let g = s.optionalUnsigned(UInt32.self) else { return false }
                    generation = .some(g)
                } else if s.named(name, "voted_for_block_num") {
                    guard number == nil, let n = s.unsigned(UInt32.self) else { return false }
                    number = n
                } else if s.named(name, "voted_for_block_id") {
                    guard id == nil, let r = s.rawString(), r.count == 64,
                        let v = Bytes32(hex: String(decoding: UnsafeBufferPointer(rebasing: s.b[r]), as: UTF8.self))
                    else { return false }
                    id = v
                } else if s.named(name, "voted_for_block_timestamp") {
                    guard time == nil, let t = s.string(), NodeBlockTime.isNodeTime(t), let v = BlockTimestamp(iso8601: t) else { return false }
                    time = v
                } else {
                    return s.skip()
                }
                return true
            }
            guard ok, let text, let strong, let number, let id, let time, let key = key(text), id.blockNumber == number else { return nil }
            return TrackedVote(
                publicKeyText: text, publicKey: key, description: description ?? nil, blockNumber: number, blockID: id,
                timestamp: time, isStrong: strong, policyGeneration: generation ?? nil, problems: [])
        }

        mutating func document(url: String) -> FinalizerInfo? {
            var active: FinalizerPolicyInfo??
            var pending: FinalizerPolicyInfo??
            var votes: [TrackedVote]?
            let ok = object { s, name in
                if s.named(name, "active_finalizer_policy") {
                    guard active == nil, let p = s.policy() else { return false }
                    active = .some(p)
                } else if s.named(name, "pending_finalizer_policy") {
                    guard pending == nil, let p = s.policy() else { return false }
                    pending = .some(p)
                } else if s.named(name, "last_tracked_votes") {
                    guard votes == nil else { return false }
                    var list = [TrackedVote]()
                    guard s.array({ s in
                        guard let v = s.vote() else { return false }
                        list.append(v)
                        return true
                    }) else { return false }
                    votes = list
                } else {
                    return s.skip()
                }
                return true
            }
            space()
            guard ok, i == b.count, let votes else { return nil }
            return FinalizerInfo(
                source: .api(url: url), activePolicy: active ?? nil, pendingPolicy: pending ?? nil, votes: votes, elapsedMilliseconds: 0)
        }
    }
}
