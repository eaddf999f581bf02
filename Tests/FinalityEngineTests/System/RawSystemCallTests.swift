import Foundation
import Testing

/// Every system call of the engine, the runner and the sample writers goes through the
/// typed `Sys` layer (System/): EINTR retried in one place and fault injection in front of
/// every call of every write (issue 17; style.md: low-level file work through
/// swift-system, no ad-hoc `Glibc` calls scattered around). Read from the sources.
@Suite("No raw system call outside System/")
struct RawSystemCallTests {
    /// The C calls that touch files, directories, descriptors and sockets: the calls fault
    /// injection must reach. (Identity and clock calls, `getpid`, `geteuid`, `getpwuid`,
    /// `usleep`, `getenv`, are not among them.)
    static let calls: [String] = [
        "open", "openat", "creat", "close", "read", "pread", "readv", "write", "pwrite", "writev", "lseek",
        "stat", "lstat", "fstat", "fstatat", "statx", "access", "faccessat", "fsync", "fdatasync", "sync_file_range",
        "rename", "renameat", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "mkdtemp", "mkstemp", "mkfifo",
        "link", "symlink", "readlink", "realpath", "chown", "fchown", "lchown", "chmod", "fchmod",
        "truncate", "ftruncate", "fallocate", "posix_fallocate", "fcntl", "flock", "ioctl", "dup", "dup2", "pipe",
        "mmap", "munmap", "opendir", "fdopendir", "readdir", "closedir", "getcwd", "chdir",
        "socket", "connect", "bind", "listen", "accept", "send", "sendto", "recv", "recvfrom", "poll", "select",
        "getsockopt", "setsockopt", "getaddrinfo", "freeaddrinfo",
        "fopen", "fdopen", "fclose", "fread", "fwrite", "fputs", "fgets", "fflush",
        "setxattr", "fsetxattr", "getxattr", "fgetxattr", "listxattr", "flistxattr", "removexattr", "fremovexattr",
        "utimes", "futimens",
    ]

    /// The modules whose sources are read, and the folder that may make the calls.
    static let modules = ["FinalityEngine", "FinalityRunner", "FinalitySamples"]
    static let allowed = "FinalityEngine/System/"

    /// Raw calls left in a file that another change owns, to move onto `Sys` when it lands
    /// (the case report's `stat`: `Sys.status(file, followLinks: true)`, whose
    /// `FileStatus` has the mode, owner and modification time). Once the call is gone the
    /// test asks for the entry to go too.
    static let pending: [String: Set<String>] = ["FinalityEngine/Report/CaseReport.swift": ["stat("]]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// `Module/Folder/File.swift` and its text, for every Swift file of the modules.
    static func files() -> [(name: String, text: String)] {
        modules.flatMap { module -> [(name: String, text: String)] in
            let dir = sources.appendingPathComponent(module)
            guard let walker = FileManager.default.enumerator(atPath: dir.path) else { return [] }
            return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().compactMap { name in
                (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)).map { (module + "/" + name, $0) }
            }
        }
    }

    /// The text with comments and the literal parts of strings blanked out (interpolations
    /// stay: `"\(close(fd))"` is code), so that `"fcntl(F_GETLK) failed"` and `// open(`
    /// are not calls. Knows `//`, nested `/* */`, `"…"`, `"""…"""`, raw `#"…"#` and `\(…)`.
    static func code(_ text: String) -> String {
        let s = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        // The stack of open strings: each with its closing delimiter's hashes, whether it is
        // multi-line, and the parenthesis depth of the interpolation it is in (nil: in text).
        struct Literal { var hashes: Int; var closing: [UInt8]; var interpolate: [UInt8]; var interpolation: Int? }
        var stack = [Literal]()
        var i = 0
        let quote = UInt8(ascii: "\""), hash = UInt8(ascii: "#"), backslash = UInt8(ascii: "\\"), slash = UInt8(ascii: "/")
        let star = UInt8(ascii: "*"), open = UInt8(ascii: "("), close = UInt8(ascii: ")"), newline = UInt8(ascii: "\n")
        func at(_ j: Int, _ t: [UInt8]) -> Bool { j + t.count <= s.count && s[j..<j + t.count].elementsEqual(t) }
        func blank(_ n: Int) {
            for k in i..<min(i + n, s.count) { out.append(s[k] == newline ? newline : 0x20) }
            i += n
        }
        func keep(_ n: Int) {
            out.append(contentsOf: s[i..<min(i + n, s.count)])
            i += n
        }
        while i < s.count {
            if var top = stack.last, top.interpolation == nil {
                // Inside a string's text.
                if s[i] == quote && at(i, top.closing) {
                    blank(top.closing.count)
                    stack.removeLast()
                } else if s[i] == backslash && at(i, top.interpolate) {
                    blank(top.interpolate.count - 1)
                    keep(1)
                    top.interpolation = 1
                    stack[stack.count - 1] = top
                } else if top.hashes == 0 && s[i] == backslash {
                    blank(2)
                } else {
                    blank(1)
                }
                continue
            }
            // Code (top level or inside an interpolation).
            if at(i, [slash, slash]) {
                while i < s.count && s[i] != newline { blank(1) }
            } else if at(i, [slash, star]) {
                var depth = 0
                repeat {
                    if at(i, [slash, star]) {
                        depth += 1
                        blank(2)
                    } else if at(i, [star, slash]) {
                        depth -= 1
                        blank(2)
                    } else {
                        blank(1)
                    }
                } while depth > 0 && i < s.count
            } else if s[i] == hash || s[i] == quote {
                var j = i
                while j < s.count && s[j] == hash { j += 1 }
                guard j < s.count, s[j] == quote else {
                    keep(j - i)
                    continue
                }
                let multiline = at(j, [quote, quote, quote])
                let hashes = j - i
                blank(hashes + (multiline ? 3 : 1))
                let marks = [UInt8](repeating: hash, count: hashes)
                stack.append(
                    Literal(
                        hashes: hashes, closing: (multiline ? [quote, quote, quote] : [quote]) + marks, interpolate: [backslash] + marks + [open],
                        interpolation: nil))
            } else if var top = stack.last, let depth = top.interpolation {
                if s[i] == open { top.interpolation = depth + 1 }
                if s[i] == close { top.interpolation = depth == 1 ? nil : depth - 1 }
                stack[stack.count - 1] = top
                if top.interpolation == nil { blank(1) } else { keep(1) }
            } else {
                keep(1)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The raw calls in one file's text, as `line N: name(`. A call is `name(` not preceded
    /// by a letter, digit, `_` or `.` (`Sys.open(`, `fd.close()`, `.connect(reason:)` are
    /// not raw), nor by `func ` or `case ` (a declaration); `Glibc.name(` always is raw. A
    /// name the file declares itself (`func read(`) is the file's own: Swift resolves an
    /// unqualified call to it first, so a raw call there has to be written `Glibc.read(`.
    static func rawCalls(in text: String) -> [String] {
        let code = Array(code(text).utf8)
        let names = Set(calls)
        func isIdentifier(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        /// The word that ends at `end` (exclusive), spaces before it skipped.
        func word(before end: Int) -> String {
            var e = end
            while e > 0 && code[e - 1] == 0x20 { e -= 1 }
            var b = e
            while b > 0 && isIdentifier(code[b - 1]) { b -= 1 }
            return String(decoding: code[b..<e], as: UTF8.self)
        }
        // Every identifier directly followed by `(` or `<`: the name, where, the line.
        var uses = [(name: String, start: Int, line: Int, generic: Bool)]()
        var line = 1
        var i = 0
        while i < code.count {
            if code[i] == 0x0A { line += 1 }
            guard isIdentifier(code[i]), i == 0 || !isIdentifier(code[i - 1]) else {
                i += 1
                continue
            }
            var j = i
            while j < code.count && isIdentifier(code[j]) { j += 1 }
            if j < code.count && (code[j] == UInt8(ascii: "(") || code[j] == UInt8(ascii: "<")) {
                let name = String(decoding: code[i..<j], as: UTF8.self)
                if names.contains(name) { uses.append((name, i, line, code[j] == UInt8(ascii: "<"))) }
            }
            i = j
        }
        let own = Set(uses.filter { word(before: $0.start) == "func" }.map(\.name))
        var found = [String]()
        for use in uses where !use.generic {
            let previous = use.start > 0 ? code[use.start - 1] : 0x20
            if previous == UInt8(ascii: ".") {
                if word(before: use.start - 1) == "Glibc" && (use.start < 7 || code[use.start - 7] != UInt8(ascii: ".")) {
                    found.append("line \(use.line): Glibc.\(use.name)(")
                }
                continue
            }
            let declared = word(before: use.start)
            if declared == "func" || declared == "case" || own.contains(use.name) { continue }
            found.append("line \(use.line): \(use.name)(")
        }
        return found
    }

    @Test("the engine (but System/), the runner and the sample writers make no raw system call")
    func noRawCallOutsideSystem() {
        let files = Self.files()
        #expect(files.count > 60, "sources not found at \(Self.sources.path)")
        #expect(files.contains { $0.name == "FinalityEngine/Input/SafetyFileInput.swift" })
        #expect(files.contains { $0.name == "FinalitySamples/DemoDataDir.swift" })
        var checked = 0
        for f in files where !f.name.hasPrefix(Self.allowed) {
            checked += 1
            let found = Self.rawCalls(in: f.text)
            let waiting = Self.pending[f.name] ?? []
            for call in found where !waiting.contains(String(call.split(separator: " ").last!)) {
                Issue.record("\(f.name) \(call): go through Sys (System/SystemCalls.swift)")
            }
            if !waiting.isEmpty && found.isEmpty {
                Issue.record("\(f.name) makes no raw call any more: remove it from RawSystemCallTests.pending")
            }
        }
        #expect(checked > 50)
        // System/ itself makes them (the test reads what it means to read).
        let sys = files.first { $0.name == "FinalityEngine/System/SystemCalls.swift" }
        #expect(Self.rawCalls(in: sys?.text ?? "").count > 10)
    }

    @Test("a planted raw call is found; calls through Sys, methods, declarations, comments and strings are not")
    func plantedCallsAreFound() {
        let planted = """
            import Glibc
            func load(_ path: String) -> Int32 {
                let fd = open(path, O_RDONLY)
                defer { close(fd) }
                var st = stat()
                _ = fstat(fd, &st)
                let n = Glibc.read(fd, nil, 0)
                print("read \\(pread(fd, nil, 0, 0)) bytes")
                return fd
            }
            """
        #expect(Self.rawCalls(in: planted) == [
            "line 3: open(", "line 4: close(", "line 5: stat(", "line 6: fstat(", "line 7: Glibc.read(", "line 8: pread(",
        ])
        let clean = #"""
            import SystemPackage
            enum Reader {
                case connect(reason: String)
                static func read(_ file: String) throws -> [UInt8] { try Sys.readFile(file) }
                static func again(_ file: String) throws -> [UInt8] { try read(file) }  // read( is ours; open(path) in a comment
                static func close(_ fd: FileDescriptor) { try? fd.close() }
                static let why = "fcntl(F_GETLK) failed: \(Self.text("open(")) and \"unlink(x)\""
                static let raw = #"{"stat(":"#
                /* write(fd) in a /* nested */ comment */
                static let many = """
                    mkdir(a)
                    """
            }
            """#
        #expect(Self.rawCalls(in: clean) == [])
    }
}
