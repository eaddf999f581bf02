import Foundation

/// The `finality` executable SwiftPM built beside the test bundle, and running it as a
/// child process (stdin from /dev/null, output to files, NO_COLOR=1).
public enum BuiltBinary {
    /// Its path, or nil before `swift build` (RequiredTools says what then).
    public static let finality: String? = {
        var candidates = [String]()
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            var dir = URL(fileURLWithPath: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
                .deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("finality").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("finality").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/finality")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) && !$0.contains(".xctest/") }
    }()

    /// The tool's version, as the executable says it (the report carries it).
    public static var version: String {
        run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct Result {
        public var status: Int32
        /// The signal that ended the process, if one did.
        public var signal: Int32?
        /// The output's bytes as written (a test of what reaches a terminal reads these).
        public var stdoutBytes: [UInt8]
        public var stderrBytes: [UInt8]
        /// Seconds from the start to the end of the process.
        public var seconds: Double
        public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
        public var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }

        public init(status: Int32, signal: Int32?, stdout: String, stderr: String) {
            self.init(status: status, signal: signal, stdoutBytes: Array(stdout.utf8), stderrBytes: Array(stderr.utf8), seconds: 0)
        }

        public init(status: Int32, signal: Int32?, stdoutBytes: [UInt8], stderrBytes: [UInt8], seconds: Double) {
            self.status = status
            self.signal = signal
            self.stdoutBytes = stdoutBytes
            self.stderrBytes = stderrBytes
            self.seconds = seconds
        }
    }

    public final class Running: @unchecked Sendable {
        public let pid: pid_t
        let out: String
        let err: String
        let started = Date()
        init(pid: pid_t, out: String, err: String) {
            self.pid = pid
            self.out = out
            self.err = err
        }

        public func wait() -> Result {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let seconds = Date().timeIntervalSince(started)
            let sig = status & 0x7f
            defer { unlink(out); unlink(err) }
            func bytes(_ path: String) -> [UInt8] { FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? [] }
            return Result(
                status: sig == 0 ? (status >> 8) & 0xff : -1, signal: sig == 0 ? nil : sig,
                stdoutBytes: bytes(out), stderrBytes: bytes(err), seconds: seconds)
        }
    }

    /// Starts the binary with stdin from /dev/null (not a terminal) and extra environment.
    public static func start(_ args: [String], env: [String: String] = [:]) -> Running {
        start(raw: args.map { Array($0.utf8) }, env: env)
    }

    /// Starts the binary with raw argument bytes (a name that is not UTF-8 cannot be a Swift
    /// String), stdin from /dev/null and extra environment; with `timeout`, under
    /// `timeout SECONDS` (a hang shows as status 124, never as a stuck suite).
    public static func start(raw args: [[UInt8]], env: [String: String] = [:], timeout: Int? = nil) -> Running {
        let tmp = TemporaryPaths.name("finality-cli")
        let out = tmp + ".out", err = tmp + ".err"
        TemporaryPaths.register(out)
        TemporaryPaths.register(err)
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&actions)
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        environment["NO_COLOR"] = "1"
        let exe = finality ?? "finality"
        let prefix: [[UInt8]] = timeout.map { [Array("timeout".utf8), Array(String($0).utf8)] } ?? []
        func cString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            return p
        }
        let argv = (prefix + [Array(exe.utf8)] + args).map(cString) + [nil]
        let envp = environment.map { cString(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer { (argv + envp).forEach { $0?.deallocate() } }
        var pid: pid_t = 0
        let rc = timeout == nil ? posix_spawn(&pid, exe, &actions, nil, argv, envp) : posix_spawnp(&pid, "timeout", &actions, nil, argv, envp)
        precondition(rc == 0, "cannot start \(exe): \(rc)")
        return Running(pid: pid, out: out, err: err)
    }

    public static func run(_ args: [String], env: [String: String] = [:]) -> Result { start(args, env: env).wait() }
}
