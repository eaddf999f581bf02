import Foundation

/// A real HTTP server on 127.0.0.1 (ephemeral port) for the API tests: each path answers
/// with a recorded response, or misbehaves on purpose. Nothing leaves the machine.
public final class TestHTTPServer: @unchecked Sendable {
    public enum Behavior: Sendable {
        case respond(status: Int, body: String, chunked: Bool = false)
        /// Waits, then behaves.
        indirect case delayed(seconds: Double, then: Behavior)
        /// Sends headers promising a long body, then one byte every `interval` seconds.
        case trickle(interval: Double)
        /// Accepts, reads the request, never answers.
        case silent
        /// Closes the connection without a word.
        case close
        /// Sends these bytes exactly (status line, headers and body written by the test).
        case raw([UInt8])
    }

    public let port: UInt16
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private var routes: [String: Behavior]
    private let lock = NSLock()
    private var stopped = false
    private var _requests: [(method: String, path: String, body: String)] = []

    public var requests: [(method: String, path: String, body: String)] { lock.withLock { _requests } }
    private var isStopped: Bool { lock.withLock { stopped } }

    public init(_ routes: [String: Behavior]) {
        self.routes = routes
        let l = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(l >= 0)
        var one: Int32 = 1
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(l, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(rc == 0, "bind failed")
        precondition(listen(l, 16) == 0)
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(l, $0, &len) }
        }
        listener = l
        port = UInt16(bigEndian: bound.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Changes what a path answers from the next request on (a node whose head moves).
    public func route(_ path: String, _ behavior: Behavior) {
        lock.withLock { routes[path] = behavior }
    }

    public func stop() {
        lock.withLock { stopped = true }
    }

    deinit { close(listener) }

    /// A port nothing listens on (bound, then closed).
    public static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        close(fd)
        return UInt16(bigEndian: bound.sin_port)
    }

    private func acceptLoop() {
        while !isStopped {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            let t = Thread { [self] in
                handle(fd)
                close(fd)
            }
            t.start()
        }
    }

    private func sleepUnlessStopped(_ seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !isStopped && Date() < end { usleep(20_000) }
    }

    private func handle(_ fd: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let h = headerEnd, data.count >= h + contentLength { break }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 2000) > 0 else { return }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return }
            data.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let r = String(decoding: data, as: UTF8.self).range(of: "\r\n\r\n") {
                let head = String(decoding: data, as: UTF8.self)[..<r.lowerBound]
                headerEnd = String(decoding: data, as: UTF8.self)[..<r.upperBound].utf8.count
                for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        let requestLine = text.components(separatedBy: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let method = parts.first.map(String.init) ?? ""
        let path = parts.count > 1 ? String(parts[1]) : ""
        let body = String(decoding: data[(headerEnd ?? data.count)...], as: UTF8.self)
        lock.withLock { _requests.append((method, path, body)) }
        let route = lock.withLock { routes[path] }
        behave(route ?? .respond(status: 404, body: #"{"code":404,"message":"Not Found","error":{"code":0,"name":"exception","what":"unknown endpoint"}}"#), fd)
    }

    private func send(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    private func behave(_ behavior: Behavior, _ fd: Int32) {
        switch behavior {
        case .respond(let status, let body, let chunked):
            let reason = status == 200 ? "OK" : status == 500 ? "Internal Server Error" : "Error"
            var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nServer: WebSocket++/0.7.0\r\n"
            if chunked {
                head += "Transfer-Encoding: chunked\r\n\r\n"
                let bytes = Array(body.utf8)
                var out = head
                var i = 0
                while i < bytes.count {
                    let n = min(17, bytes.count - i)
                    out += String(n, radix: 16) + "\r\n" + String(decoding: bytes[i..<i + n], as: UTF8.self) + "\r\n"
                    i += n
                }
                _ = send(fd, out + "0\r\n\r\n")
            } else {
                _ = send(fd, head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
            }
        case .delayed(let seconds, let then):
            sleepUnlessStopped(seconds)
            if !isStopped { behave(then, fd) }
        case .trickle(let interval):
            guard send(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{") else { return }
            while !isStopped {
                sleepUnlessStopped(interval)
                if !send(fd, " ") { return }
            }
        case .silent:
            sleepUnlessStopped(30)
        case .close:
            return
        case .raw(let bytes):
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
        }
    }
}
