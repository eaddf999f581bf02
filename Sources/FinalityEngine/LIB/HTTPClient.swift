import FinalityFormat
import FoundationEssentials
import Glibc
import SystemPackage

/// A minimal HTTP/1.1 client over POSIX sockets, for a node's API: one POST, one
/// deadline for the whole exchange (connect, send, every byte of the answer).
///
/// Why not URLSession: on this Linux (swift-corelibs-foundation over libcurl) a server
/// that trickles its body one byte at a time kept a request with a 3-second
/// `timeoutIntervalForResource` hanging for more than 20 seconds. An operator's
/// terminal must never hang on a sick node. Plain `http` only: https is refused with
/// a message that says so.
public enum HTTPClient {
    public struct Endpoint: Hashable, Sendable {
        public var host: String
        public var port: UInt16
        /// The base path, without a trailing slash ("" for the root).
        public var basePath: String

        public init(host: String, port: UInt16, basePath: String) {
            self.host = host
            self.port = port
            self.basePath = basePath
        }

        /// `http://host[:port][/path]`; `[v6]` literals allowed.
        public static func parse(_ text: String) throws(HTTPFailure) -> Endpoint {
            let lower = text.lowercased()
            if lower.hasPrefix("https://") { throw .unsupportedScheme("https") }
            // Every character of it goes into the request line and the Host header: a
            // line break would end them early (a header or a request of the URL's own).
            if let bad = text.unicodeScalars.first(where: { $0 == " " || DisplayText.needsEscape($0) }) {
                throw .badURL(text, "it holds \(bad == " " ? "a space" : "a control character (U+\(String(bad.value, radix: 16, uppercase: true)))"): write it as %XX")
            }
            var rest: Substring
            if lower.hasPrefix("http://") {
                rest = text.dropFirst("http://".count)
            } else if let r = lower.firstRange(of: "://") {
                throw .unsupportedScheme(String(lower[..<r.lowerBound]))
            } else {
                throw .badURL(text, "it must start with http:// (e.g. http://127.0.0.1:8888)")
            }
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            rest = rest.dropFirst(authority.count)
            var path = String(rest.prefix { $0 != "?" && $0 != "#" })
            while path.hasSuffix("/") { path.removeLast() }
            guard !authority.contains("@") else { throw .badURL(text, "credentials in the URL are not supported") }
            var host: Substring
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw .badURL(text, "unclosed [ in the host") }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                    throw .badURL(text, "unexpected text after the host")
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty else { throw .badURL(text, "no host") }
            var port: UInt16 = 80
            if let p = portText {
                guard let v = UInt16(p), v > 0 else { throw .badURL(text, "the port must be 1…65535, found \"\(p)\"") }
                port = v
            }
            return Endpoint(host: String(host), port: port, basePath: path)
        }

        /// How the calls to this endpoint are named for fault injection.
        var trace: String { "http://\(hostHeader)" }

        var hostHeader: String {
            let h = host.contains(":") ? "[\(host)]" : host
            return port == 80 ? h : "\(h):\(port)"
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var reason: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: [UInt8]
        public var elapsedMilliseconds: Int
    }

    public enum HTTPFailure: Error, Hashable, Sendable, CustomStringConvertible {
        case badURL(String, String)
        case unsupportedScheme(String)
        case resolve(host: String, reason: String)
        case connect(reason: String)
        case timeout(phase: String, seconds: Double)
        case io(phase: String, reason: String)
        case malformed(String)
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .badURL(let u, let why): "not a node API URL: \(u): \(why)"
            case .unsupportedScheme(let s):
                "\(s):// is not supported: the built-in HTTP client speaks plain http only (use the node's http endpoint, e.g. through an SSH tunnel: ssh -L 8888:127.0.0.1:8888 HOST, then --api http://127.0.0.1:8888)"
            case .resolve(let h, let r): "cannot resolve \(h): \(r)"
            case .connect(let r): "cannot connect: \(r)"
            case .timeout(let phase, let s): "no answer within \(Self.seconds(s)) s (timed out while \(phase))"
            case .io(let phase, let r): "\(phase) failed: \(r)"
            case .malformed(let r): "not an HTTP response: \(r)"
            case .tooLarge(let n): "the answer is larger than \(n) bytes"
            }
        }

        static func seconds(_ s: Double) -> String {
            s == s.rounded() ? String(Int(s)) : String(printf: "%.3g", s)
        }

        /// Bad URLs are bad usage; everything else happened on the way to the node.
        public var isUsage: Bool {
            switch self {
            case .badURL, .unsupportedScheme: true
            default: false
            }
        }
    }

    static let maxResponse = 32 << 20

    /// POSTs `body` (JSON) to `endpoint.basePath + path`.
    public static func post(_ endpoint: Endpoint, path: String, body: [UInt8], timeoutSeconds: Double)
        throws(HTTPFailure) -> Response
    {
        let start = Sys.monotonicNanoseconds()
        let deadline = start + UInt64(max(0, timeoutSeconds) * 1e9)
        let fd = try connect(endpoint, deadline: deadline, timeoutSeconds: timeoutSeconds)
        defer { try? Sys.close(fd, path: endpoint.trace) }
        var request = "POST \(endpoint.basePath)\(path) HTTP/1.1\r\n"
        request += "Host: \(endpoint.hostHeader)\r\n"
        request += "User-Agent: finality\r\n"
        request += "Accept: application/json\r\n"
        request += "Content-Type: application/json\r\n"
        request += "Content-Length: \(body.count)\r\n"
        request += "Connection: close\r\n\r\n"
        try sendAll(fd, Array(request.utf8) + body, endpoint: endpoint, deadline: deadline, timeoutSeconds: timeoutSeconds)
        var response = try receive(fd, endpoint: endpoint, deadline: deadline, timeoutSeconds: timeoutSeconds)
        response.elapsedMilliseconds = Int((Sys.monotonicNanoseconds() - start) / 1_000_000)
        return response
    }

    /// Waits for `events` on `fd` until the deadline: false when it passed.
    static func wait(_ fd: FileDescriptor, _ events: Int16, endpoint: Endpoint, deadline: UInt64) throws(HTTPFailure) -> Bool {
        do throws(Errno) { return try Sys.poll(fd, events, deadline: deadline, path: endpoint.trace) } catch {
            throw .io(phase: "poll", reason: "\(error)")
        }
    }

    static func connect(_ endpoint: Endpoint, deadline: UInt64, timeoutSeconds: Double) throws(HTTPFailure) -> FileDescriptor {
        let addresses: [Sys.SocketAddress]
        do { addresses = try Sys.addresses(host: endpoint.host, port: endpoint.port) } catch {
            throw .resolve(host: endpoint.host, reason: error.description)
        }
        var lastError = "no address"
        for address in addresses {
            let fd: FileDescriptor
            do { fd = try Sys.streamSocket(family: address.family, path: endpoint.trace) } catch {
                lastError = "\(error)"
                continue
            }
            func drop() { try? Sys.close(fd, path: endpoint.trace) }
            do {
                if try Sys.connect(fd, to: address, path: endpoint.trace) { return fd }
            } catch {
                lastError = "\(error)"
                drop()
                continue
            }
            let ready: Bool
            do { ready = try wait(fd, Int16(POLLOUT), endpoint: endpoint, deadline: deadline) } catch {
                drop()
                throw error
            }
            if !ready {
                drop()
                throw .timeout(phase: "connecting to \(endpoint.hostHeader)", seconds: timeoutSeconds)
            }
            do {
                guard let failed = try Sys.connectionError(fd, path: endpoint.trace) else { return fd }
                lastError = "\(failed)"
            } catch {
                lastError = "\(error)"
            }
            drop()
        }
        throw .connect(reason: "\(endpoint.hostHeader): \(lastError)")
    }

    static func sendAll(_ fd: FileDescriptor, _ bytes: [UInt8], endpoint: Endpoint, deadline: UInt64, timeoutSeconds: Double) throws(HTTPFailure) {
        var sent = 0
        while sent < bytes.count {
            guard try wait(fd, Int16(POLLOUT), endpoint: endpoint, deadline: deadline) else {
                throw .timeout(phase: "sending the request", seconds: timeoutSeconds)
            }
            var failure: Errno?
            let n = bytes.withUnsafeBytes { raw -> Int in
                do throws(Errno) { return try Sys.send(fd, UnsafeRawBufferPointer(rebasing: raw[sent...]), path: endpoint.trace) } catch {
                    failure = error
                    return 0
                }
            }
            if let failure {
                if failure == .resourceTemporarilyUnavailable { continue }
                throw .io(phase: "sending the request", reason: "\(failure)")
            }
            sent += n
        }
    }

    static func receive(_ fd: FileDescriptor, endpoint: Endpoint, deadline: UInt64, timeoutSeconds: Double) throws(HTTPFailure) -> Response {
        // Each byte received is looked at a bounded number of times: the header search
        // resumes where it stopped, and the body is fed to its reader once.
        var headBytes = [UInt8]()
        var headScanned = 0
        var head: Head?
        var body = BodyReader(framing: .untilClose)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard try wait(fd, Int16(POLLIN), endpoint: endpoint, deadline: deadline) else {
                throw .timeout(phase: head == nil ? "waiting for the answer" : "reading the answer", seconds: timeoutSeconds)
            }
            var failure: Errno?
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                do throws(Errno) { return try Sys.receive(fd, into: raw, path: endpoint.trace) } catch {
                    failure = error
                    return 0
                }
            }
            if let failure {
                if failure == .resourceTemporarilyUnavailable { continue }
                throw .io(phase: "reading the answer", reason: "\(failure)")
            }
            if n == 0 {
                guard let h = head else {
                    if headBytes.isEmpty { throw .malformed("the node closed the connection without answering") }
                    throw .malformed("the connection closed inside the response headers")
                }
                guard let bytes = try body.finishAtClose() else {
                    throw .malformed("the connection closed before the end of the body")
                }
                return Response(status: h.status, reason: h.reason, headers: h.headers, body: bytes, elapsedMilliseconds: 0)
            }
            var fresh = buffer[0..<n]
            if head == nil {
                headBytes.append(contentsOf: fresh)
                guard let end = try findHeadEnd(headBytes, from: &headScanned) else { continue }
                let h = try parseHead(headBytes[0..<end])
                head = h
                body = try BodyReader(headers: h.headers)
                fresh = headBytes[(end + 4)...]
            }
            if try body.feed(fresh), let h = head, let bytes = body.complete {
                return Response(status: h.status, reason: h.reason, headers: h.headers, body: bytes, elapsedMilliseconds: 0)
            }
        }
    }

    struct Head {
        var status: Int
        var reason: String
        var headers: [String: String]
    }

    /// The offset of the blank line ending the headers, searching from where the last
    /// search stopped.
    static func findHeadEnd(_ data: [UInt8], from scanned: inout Int) throws(HTTPFailure) -> Int? {
        var i = max(0, scanned - 3)
        while i + 4 <= data.count {
            if data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i }
            i += 1
        }
        scanned = data.count
        if data.count > 64 * 1024 { throw .malformed("no end of headers in the first 64 KiB") }
        return nil
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPFailure) -> Head {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...599).contains(status) else {
            throw .malformed("status line \"\(statusLine.prefix(80))\"")
        }
        var headers = [String: String]()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line \"\(line.prefix(80))\"") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmed(.whitespaces)
        }
        return Head(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
    }

    /// The body as its headers frame it: Content-Length, chunked, or up to the close.
    /// (A struct, not an enum with payloads: appending to a payload bound out of `self`
    /// would copy the whole body on every read.)
    struct BodyReader {
        enum Framing: Equatable {
            case length(Int)
            case chunked
            case untilClose
        }

        var framing: Framing
        var bytes: [UInt8] = []
        var chunks = ChunkedBody()

        init(framing: Framing) { self.framing = framing }

        init(headers: [String: String]) throws(HTTPFailure) {
            if let te = headers["transfer-encoding"] {
                // Only "chunked" (last) frames the body; anything else would be guessed.
                guard te.lowercased().split(separator: ",").last?.trimmed(.whitespaces) == "chunked" else {
                    throw .malformed("Transfer-Encoding \"\(te.prefix(40))\" (only chunked is understood)")
                }
                framing = .chunked
            } else if let lengthText = headers["content-length"] {
                guard !lengthText.isEmpty, lengthText.utf8.count <= 18,
                      lengthText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let length = Int(lengthText)
                else { throw .malformed("Content-Length \"\(lengthText.prefix(40))\"") }
                if length > maxResponse { throw .tooLarge(limit: maxResponse) }
                framing = .length(length)
            } else {
                framing = .untilClose
            }
        }

        /// Takes the next bytes of the body; true when the body is complete.
        mutating func feed(_ fresh: ArraySlice<UInt8>) throws(HTTPFailure) -> Bool {
            switch framing {
            case .length(let n):
                bytes.append(contentsOf: fresh.prefix(n - bytes.count))
                return bytes.count == n
            case .chunked:
                try chunks.feed(fresh)
                return chunks.isComplete
            case .untilClose:
                bytes.append(contentsOf: fresh)
                if bytes.count > maxResponse { throw .tooLarge(limit: maxResponse) }
                return false
            }
        }

        var complete: [UInt8]? {
            switch framing {
            case .length(let n): bytes.count == n ? bytes : nil
            case .chunked: chunks.isComplete ? chunks.body : nil
            case .untilClose: nil
            }
        }

        /// The body when the server closed the connection: complete, or nil. A chunked
        /// body whose last chunk came is complete even if the close cut its trailer.
        func finishAtClose() throws(HTTPFailure) -> [UInt8]? {
            switch framing {
            case .untilClose: bytes
            case .chunked: chunks.sawLastChunk ? chunks.body : nil
            case .length: complete
            }
        }
    }

    /// An incremental decoder of `Transfer-Encoding: chunked` (RFC 9112 §7.1): fed the
    /// bytes as they arrive, it looks at each byte once, so a body of a million tiny
    /// chunks costs no more than one chunk of a megabyte. Every line must end in CRLF,
    /// and each chunk's data must be followed by exactly CRLF: a stray byte there means
    /// the sizes and the data disagree, and the body is refused rather than guessed.
    public struct ChunkedBody: Sendable {
        enum State: Sendable, Equatable {
            /// Reading a chunk-size line (hex digits, optional `;extension`).
            case sizeLine
            /// Reading `remaining` bytes of data.
            case data(remaining: Int)
            /// Expecting CR then LF after a chunk's data.
            case dataEnd(sawCR: Bool)
            /// Reading trailer lines after the last chunk until an empty line.
            case trailer
            case complete
        }

        public private(set) var body: [UInt8] = []
        var state = State.sizeLine
        var line: [UInt8] = []
        var chunkIndex = 0
        /// Bytes taken so far, for messages and for the test that each is looked at once.
        public private(set) var consumed = 0
        /// True once the zero-size chunk was read (its trailer may still be coming).
        public private(set) var sawLastChunk = false

        public init() {}

        public var isComplete: Bool { state == .complete }

        static let maxLine = 4096

        public mutating func feed<C: Collection>(_ bytes: C) throws(HTTPFailure) where C.Element == UInt8, C.Index == Int {
            var i = bytes.startIndex
            while i < bytes.endIndex {
                switch state {
                case .complete:
                    // Bytes after the end: a server reusing the connection would be wrong
                    // here (we sent Connection: close); ignore them as nodeos's reader would.
                    consumed += bytes.endIndex - i
                    return
                case .data(let remaining):
                    let n = min(remaining, bytes.endIndex - i)
                    body.append(contentsOf: bytes[i..<i + n])
                    if body.count > HTTPClient.maxResponse { throw .tooLarge(limit: HTTPClient.maxResponse) }
                    i += n
                    consumed += n
                    state = remaining == n ? .dataEnd(sawCR: false) : .data(remaining: remaining - n)
                case .dataEnd(let sawCR):
                    let b = bytes[i]
                    if !sawCR, b == 13 {
                        state = .dataEnd(sawCR: true)
                    } else if sawCR, b == 10 {
                        chunkIndex += 1
                        state = .sizeLine
                    } else {
                        throw .malformed(
                            "chunk \(chunkIndex) (body byte \(consumed)): expected CRLF after the chunk's data, found \(Self.byteText(b))")
                    }
                    i += 1
                    consumed += 1
                case .sizeLine, .trailer:
                    let b = bytes[i]
                    i += 1
                    consumed += 1
                    if b != 10 {
                        line.append(b)
                        if line.count > Self.maxLine {
                            throw .malformed("chunk \(chunkIndex): a line longer than \(Self.maxLine) bytes")
                        }
                        continue
                    }
                    guard line.last == 13 else {
                        throw .malformed("chunk \(chunkIndex) (body byte \(consumed - 1)): a line ends in LF without CR")
                    }
                    line.removeLast()
                    if state == .trailer {
                        if line.isEmpty { state = .complete }
                    } else {
                        let size = try Self.size(line, chunk: chunkIndex)
                        if size == 0 {
                            sawLastChunk = true
                            state = .trailer
                        } else {
                            if size > HTTPClient.maxResponse - body.count { throw .tooLarge(limit: HTTPClient.maxResponse) }
                            state = .data(remaining: size)
                        }
                    }
                    line.removeAll(keepingCapacity: true)
                }
            }
        }

        /// A chunk-size line: 1 to 8 hex digits, then optionally `;extension` (ignored).
        static func size(_ line: [UInt8], chunk: Int) throws(HTTPFailure) -> Int {
            let digits = line.prefix { $0 != UInt8(ascii: ";") }
            var value = 0
            for d in digits {
                let v: Int
                switch d {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(d) - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int(d) - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): v = Int(d) - 55
                default: throw .malformed("chunk \(chunk): size \"\(text(digits))\" is not hexadecimal")
                }
                value = value * 16 + v
                if value > HTTPClient.maxResponse { throw .tooLarge(limit: HTTPClient.maxResponse) }
            }
            guard !digits.isEmpty else { throw .malformed("chunk \(chunk): empty size line") }
            return value
        }

        static func text(_ bytes: ArraySlice<UInt8>) -> String {
            String(decoding: bytes.prefix(20).map { (0x20..<0x7f).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        }

        static func byteText(_ b: UInt8) -> String {
            (0x21..<0x7f).contains(b) ? "\"\(Character(Unicode.Scalar(b)))\"" : "byte 0x" + String(b, radix: 16, uppercase: true)
        }
    }
}
