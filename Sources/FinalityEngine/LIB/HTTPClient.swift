import Foundation

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
            var rest: Substring
            if lower.hasPrefix("http://") {
                rest = text.dropFirst("http://".count)
            } else if let r = lower.range(of: "://") {
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
            s == s.rounded() ? String(Int(s)) : String(format: "%.3g", s)
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
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(max(0, timeoutSeconds) * 1e9)
        let fd = try connect(endpoint, deadline: deadline, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        var request = "POST \(endpoint.basePath)\(path) HTTP/1.1\r\n"
        request += "Host: \(endpoint.hostHeader)\r\n"
        request += "User-Agent: finality\r\n"
        request += "Accept: application/json\r\n"
        request += "Content-Type: application/json\r\n"
        request += "Content-Length: \(body.count)\r\n"
        request += "Connection: close\r\n\r\n"
        try sendAll(fd, Array(request.utf8) + body, deadline: deadline, timeoutSeconds: timeoutSeconds)
        var response = try receive(fd, deadline: deadline, timeoutSeconds: timeoutSeconds)
        response.elapsedMilliseconds = Int((monotonicNanoseconds() - start) / 1_000_000)
        return response
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func remainingMilliseconds(_ deadline: UInt64) -> Int32 {
        let now = monotonicNanoseconds()
        guard deadline > now else { return 0 }
        return Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
    }

    /// Waits for `events` on `fd` until the deadline: false when it passed.
    static func wait(_ fd: Int32, _ events: Int16, deadline: UInt64) throws(HTTPFailure) -> Bool {
        while true {
            let ms = remainingMilliseconds(deadline)
            if ms == 0 { return false }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&p, 1, ms)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(phase: "poll", reason: String(cString: strerror(errno)))
            }
            if n == 0 { continue }
            return true
        }
    }

    static func connect(_ endpoint: Endpoint, deadline: UInt64, timeoutSeconds: Double) throws(HTTPFailure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .resolve(host: endpoint.host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address"
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            node = ai.pointee.ai_next
            let fd = socket(
                ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            if fd < 0 {
                lastError = String(cString: strerror(errno))
                continue
            }
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
            if errno != EINPROGRESS {
                lastError = String(cString: strerror(errno))
                close(fd)
                continue
            }
            let ready: Bool
            do { ready = try wait(fd, Int16(POLLOUT), deadline: deadline) } catch {
                close(fd)
                throw error
            }
            if !ready {
                close(fd)
                throw .timeout(phase: "connecting to \(endpoint.hostHeader)", seconds: timeoutSeconds)
            }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
            if soError == 0 { return fd }
            lastError = String(cString: strerror(soError))
            close(fd)
        }
        throw .connect(reason: "\(endpoint.hostHeader): \(lastError)")
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: UInt64, timeoutSeconds: Double) throws(HTTPFailure) {
        var sent = 0
        while sent < bytes.count {
            guard try wait(fd, Int16(POLLOUT), deadline: deadline) else {
                throw .timeout(phase: "sending the request", seconds: timeoutSeconds)
            }
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .io(phase: "sending the request", reason: String(cString: strerror(errno)))
            }
            sent += n
        }
    }

    static func receive(_ fd: Int32, deadline: UInt64, timeoutSeconds: Double) throws(HTTPFailure) -> Response {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var head: (status: Int, reason: String, headers: [String: String], bodyStart: Int)?
        while true {
            if let h = head, let body = try completeBody(data, from: h.bodyStart, headers: h.headers, eof: false) {
                return Response(status: h.status, reason: h.reason, headers: h.headers, body: body, elapsedMilliseconds: 0)
            }
            guard try wait(fd, Int16(POLLIN), deadline: deadline) else {
                throw .timeout(phase: head == nil ? "waiting for the answer" : "reading the answer", seconds: timeoutSeconds)
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .io(phase: "reading the answer", reason: String(cString: strerror(errno)))
            }
            if n == 0 {
                guard let h = head else {
                    if data.isEmpty { throw .malformed("the node closed the connection without answering") }
                    throw .malformed("the connection closed inside the response headers")
                }
                guard let body = try completeBody(data, from: h.bodyStart, headers: h.headers, eof: true) else {
                    throw .malformed("the connection closed before the end of the body")
                }
                return Response(status: h.status, reason: h.reason, headers: h.headers, body: body, elapsedMilliseconds: 0)
            }
            data.append(contentsOf: buffer[0..<n])
            if data.count > maxResponse { throw .tooLarge(limit: maxResponse) }
            if head == nil { head = try parseHead(data) }
        }
    }

    static func parseHead(_ data: [UInt8]) throws(HTTPFailure) -> (Int, String, [String: String], Int)? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard data.count >= 4 else { return nil }
        var end: Int?
        for i in 0...(data.count - 4) where data[i] == 13 && Array(data[i..<i + 4]) == marker {
            end = i
            break
        }
        guard let end else {
            if data.count > 64 * 1024 { throw .malformed("no end of headers in the first 64 KiB") }
            return nil
        }
        let text = String(decoding: data[0..<end], as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...599).contains(status) else {
            throw .malformed("status line \"\(statusLine.prefix(80))\"")
        }
        var headers = [String: String]()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line \"\(line.prefix(80))\"") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, parts.count > 2 ? String(parts[2]) : "", headers, end + 4)
    }

    /// The body when all of it has arrived (Content-Length, chunked, or up to the close).
    static func completeBody(_ data: [UInt8], from start: Int, headers: [String: String], eof: Bool)
        throws(HTTPFailure) -> [UInt8]?
    {
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return try dechunk(Array(data[start...]))
        }
        if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw .malformed("Content-Length \"\(lengthText)\"") }
            if length > maxResponse { throw .tooLarge(limit: maxResponse) }
            guard data.count - start >= length else { return nil }
            return Array(data[start..<start + length])
        }
        return eof ? Array(data[start...]) : nil
    }

    static func dechunk(_ raw: [UInt8]) throws(HTTPFailure) -> [UInt8]? {
        var out = [UInt8]()
        var i = 0
        while true {
            guard let lineEnd = raw[i...].firstIndex(of: 10) else { return nil }
            let sizeText = String(decoding: raw[i..<lineEnd], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("chunk size \"\(sizeText.prefix(20))\"") }
            i = lineEnd + 1
            if size == 0 { return out }
            guard raw.count >= i + size + 2 else { return nil }
            out.append(contentsOf: raw[i..<i + size])
            i += size + 2
        }
    }
}
