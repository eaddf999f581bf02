import FinalityInterface
import Glibc

/// The terminal's bytes turned into events, by rule and never by guess (issue 20):
///
/// - `ESC [` (CSI) is read whole by ECMA-48's rules (5.4): any number of parameter bytes
///   (0x30–0x3F), then any number of intermediate bytes (0x20–0x2F), then one final byte
///   (0x40–0x7E). `ESC O` (SS3) is one final byte, after optional parameter bytes.
/// - Mouse reports are dropped whole: X10 `ESC [ M` and three bytes (each one UTF-8
///   character in mode 1005), SGR `ESC [ < … M`/`m` and urxvt `ESC [ … M` (plain CSI).
/// - A sequence the interface does not bind is dropped whole, as is a malformed one (a
///   byte outside those ranges ends it, and is read again as itself).
/// - Bracketed paste (`ESC [ 200 ~` … `ESC [ 201 ~`) is one `.paste` event: its bytes are
///   never keys, so a newline inside it confirms nothing. Only its first
///   `pasteKeep` bytes are kept (a prompt uses no more); the rest is scanned for the end
///   marker with memchr, so megabytes pass in milliseconds.
/// - A sequence split across reads waits for its rest: `escapeMilliseconds` after a lone
///   ESC (then it is the ESC key), `sequenceMilliseconds` once a CSI or SS3 has started
///   (a slow link; then the fragment is dropped, never read as keys).
public struct InputDecoder: Sendable {
    /// Bytes not yet decoded (the start of an incomplete sequence or character).
    public private(set) var pending: [UInt8] = []
    private var start = 0
    /// Inside a bracketed paste.
    public private(set) var pasting = false
    private var paste: [UInt8] = []
    private var pasteLength = 0
    /// How much of the end marker `ESC [ 2 0 1 ~` the last bytes matched.
    private var endMatched = 0
    /// Events decoded and not yet taken.
    private var ready: [TerminalEvent] = []
    private var readyStart = 0

    /// The bytes of a paste kept for the prompt (a key, a path: far less).
    public static let pasteKeep = 4096
    /// A CSI longer than this is not a sequence any terminal sends: dropped.
    public static let sequenceLimit = 256

    static let pasteEnd: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]

    public init() {}

    /// Whether an event is ready, or bytes wait for their rest.
    public var hasReady: Bool { readyStart < ready.count }
    public var isIncomplete: Bool { start < pending.count }
    /// An incomplete sequence has started (`ESC [`, `ESC O`), not only a lone ESC.
    public var sequenceStarted: Bool { pending.count - start >= 2 && pending[start] == 0x1B }

    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        while i < n {
            if pasting {
                i = absorbPaste(bytes, from: i)
                continue
            }
            // Outside a paste: decode up to the next paste start.
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<n]))
            i = n
            decode(final: false)
            if pasting {
                // The paste started inside what was appended: its rest goes through the scan.
                let rest = Array(pending[start...])
                pending.removeAll(keepingCapacity: true)
                start = 0
                rest.withUnsafeBytes { r in
                    var j = 0
                    while j < r.count {
                        if pasting {
                            j = absorbPaste(r, from: j)
                        } else {
                            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: r[j...]))
                            j = r.count
                            decode(final: false)
                        }
                    }
                }
            }
        }
    }

    /// No more bytes came in time: a lone ESC is the ESC key, a started sequence is a
    /// fragment and dropped; a paste whose end never came ends here.
    public mutating func flush() {
        if pasting {
            finishPaste()
            return
        }
        decode(final: true)
    }

    public mutating func next() -> TerminalEvent? {
        guard readyStart < ready.count else { return nil }
        let e = ready[readyStart]
        readyStart += 1
        if readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
        }
        return e
    }

    // MARK: paste

    private mutating func absorbPaste(_ bytes: UnsafeRawBufferPointer, from i: Int) -> Int {
        let n = bytes.count
        var i = i
        if endMatched > 0 {
            // The end marker may be split across reads.
            while i < n, endMatched < Self.pasteEnd.count, bytes[i] == Self.pasteEnd[endMatched] {
                endMatched += 1
                i += 1
            }
            if endMatched == Self.pasteEnd.count {
                endMatched = 0
                finishPaste()
                return i
            }
            if i == n { return i }
            // Not the end: what matched was pasted text.
            keepPasted(Self.pasteEnd[0..<endMatched])
            endMatched = 0
        }
        // memchr for the next ESC: the bytes before it are text.
        let base = bytes.baseAddress! + i
        let found = memchr(base, 0x1B, n - i)
        let stop = found.map { UnsafeRawPointer($0) - UnsafeRawPointer(bytes.baseAddress!) } ?? n
        keepPasted(UnsafeRawBufferPointer(rebasing: bytes[i..<stop]))
        if stop < n {
            endMatched = 1
            return stop + 1
        }
        return n
    }

    private mutating func keepPasted<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        pasteLength += bytes.count
        let room = Self.pasteKeep - paste.count
        if room > 0 { paste.append(contentsOf: bytes.prefix(room)) }
    }

    private mutating func finishPaste() {
        pasting = false
        endMatched = 0
        // A character cut at the keep limit is dropped, not shown as U+FFFD.
        var end = paste.count
        if pasteLength > paste.count, end > 0 {
            var j = end - 1
            while j > 0, j > end - 4, paste[j] & 0xC0 == 0x80 { j -= 1 }
            let lead = paste[j]
            let need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if end - j < need { end = j }
        }
        let kept = paste[..<end]
        ready.append(.paste(String(decoding: kept, as: UTF8.self)))
        paste.removeAll(keepingCapacity: false)
        pasteLength = 0
    }

    // MARK: keys and sequences

    private mutating func emit(_ key: Key?) {
        if let key { ready.append(.key(key)) }
    }

    /// Decodes `pending` from `start`; stops at an incomplete sequence unless `final`.
    private mutating func decode(final: Bool) {
        while start < pending.count, !pasting {
            let b = pending[start]
            if b == 0x1B {
                guard let used = escape(at: start, final: final) else { break }
                start += used
            } else if b < 0x80 {
                emit(CursesTerminal.characterKey(UInt32(b)))
                start += 1
            } else {
                guard let used = utf8(at: start, final: final) else { break }
                start += used
            }
        }
        if start == pending.count || start > 4096 {
            pending.removeFirst(start)
            start = 0
        }
    }

    /// One UTF-8 character; nil when it is incomplete and more may come.
    private mutating func utf8(at i: Int, final: Bool) -> Int? {
        let lead = pending[i]
        let need = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0
        guard need > 0 else { return 1 }  // a stray continuation or invalid byte: dropped
        var have = 1
        while have < need, i + have < pending.count, pending[i + have] & 0xC0 == 0x80 { have += 1 }
        if have < need {
            if i + have == pending.count, !final { return nil }
            return have  // cut short: dropped
        }
        let text = String(decoding: pending[i..<(i + need)], as: UTF8.self)
        if let ch = text.first, text.unicodeScalars.first != "\u{FFFD}" { emit(.character(ch)) }
        return need
    }

    /// The bytes used from an ESC at `i`; nil when incomplete and more may come.
    private mutating func escape(at i: Int, final: Bool) -> Int? {
        let n = pending.count
        guard i + 1 < n else {
            if !final { return nil }
            emit(.escape)
            return 1
        }
        let introducer = pending[i + 1]
        guard introducer == 0x5B || introducer == 0x4F else {
            // ESC and another key (ESC then a letter, ESC ESC): both, each as itself.
            emit(.escape)
            return 1
        }
        var j = i + 2
        // Parameter bytes, then intermediate bytes, then the final byte.
        while j < n, (0x30...0x3F).contains(pending[j]) { j += 1 }
        if introducer == 0x5B {
            while j < n, (0x20...0x2F).contains(pending[j]) { j += 1 }
        }
        if j - i > Self.sequenceLimit { return j - i }  // no terminal sends that: dropped
        guard j < n else {
            if !final { return nil }
            return n - i  // a fragment that never ended: dropped whole
        }
        let last = pending[j]
        guard (0x40...0x7E).contains(last) else {
            // Malformed: dropped up to here; the byte that broke it is read as itself.
            return j - i
        }
        let body = Array(pending[(i + 2)...j])
        var used = j - i + 1
        if introducer == 0x5B, body == [0x4D] {
            // X10 mouse: ESC [ M and three bytes (each a UTF-8 character in mode 1005).
            var k = i + used
            for _ in 0..<3 {
                guard k < n else {
                    if !final { return nil }
                    return n - i
                }
                let b = pending[k]
                if b >= 0xC2, b <= 0xDF, k + 1 < n, pending[k + 1] & 0xC0 == 0x80 {
                    k += 2
                } else if b >= 0xC2, b <= 0xDF, k + 1 == n, !final {
                    return nil
                } else {
                    k += 1
                }
            }
            return k - i
        }
        if introducer == 0x5B, body == [0x5B] {
            // The Linux console's F1–F5: ESC [ [ A … E.
            guard i + used < n else {
                if !final { return nil }
                return n - i
            }
            let k = pending[i + used]
            used += 1
            if (0x41...0x45).contains(k) { emit(.function(Int(k) - 0x40)) }
            return used
        }
        if introducer == 0x5B, body == Array("200~".utf8) {
            pasting = true
            paste.removeAll(keepingCapacity: true)
            pasteLength = 0
            return used
        }
        emit(CursesTerminal.sequenceKey(introducer: introducer == 0x5B ? "[" : "O", body: body))
        return used
    }
}
