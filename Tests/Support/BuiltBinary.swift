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
        public var stdout: String
        public var stderr: String

        public init(status: Int32, signal: Int32?, stdout: String, stderr: String) {
            self.status = status
            self.signal = signal
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public final class Running: @unchecked Sendable {
        public let pid: pid_t
        let out: String
        let err: String
        init(pid: pid_t, out: String, err: String) {
            self.pid = pid
            self.out = out
            self.err = err
        }

        public func wait() -> Result {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let sig = status & 0x7f
            defer { unlink(out); unlink(err) }
            return Result(
                status: sig == 0 ? (status >> 8) & 0xff : -1, signal: sig == 0 ? nil : sig,
                stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        }
    }

    /// Starts the binary with stdin from /dev/null (not a terminal) and extra environment.
    public static func start(_ args: [String], env: [String: String] = [:]) -> Running {
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
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        environment["NO_COLOR"] = "1"
        let exe = finality ?? "finality"
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, envp)
        precondition(rc == 0, "cannot start \(exe): \(rc)")
        return Running(pid: pid, out: out, err: err)
    }

    public static func run(_ args: [String], env: [String: String] = [:]) -> Result { start(args, env: env).wait() }
}
