import Foundation
import Glibc

/// A private tmux server per test, driving the real `finality` binary (terminal.md):
/// tmux is spawned with posix_spawn + waitpid (Foundation.Process hangs on the
/// daemonized server), with an empty signal mask; the screen is read with capture-pane
/// and polled for expected text, never after fixed sleeps.
public final class Tmux {
    public let directory: String
    public var socket: String { directory + "/sock" }
    public var statusFile: String { directory + "/status" }

    public static let tmuxPath: String? = RequiredTools.tmux

    /// The `finality` executable built beside the test bundle.
    public static let finalityPath: String? = BuiltBinary.finality

    public static var available: Bool { tmuxPath != nil && finalityPath != nil }

    public init() {
        var template = Array("/tmp/finality-tmux-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts `command` (a shell command line) in a fresh session of the given size. The
    /// pane keeps running after it (tmux discards the output of a pane whose program exits).
    public func start(_ command: String, columns: Int = 80, rows: Int = 24) throws {
        let line = "\(command); echo $? > \(statusFile); sleep 600"
        try tmux(["new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", line])
    }

    /// `env LANG=… TERM=… finality ARGS` as a pane command.
    public func finality(_ args: String, term: String = "vt100", lang: String = "C.UTF-8", extraEnv: String = "") -> String {
        // timeout: a test that fails half-way must not leave the program waiting for keys
        // (--foreground: the program stays in the terminal's foreground group and reads it).
        "timeout --foreground -s HUP 120 env -u LINES -u COLUMNS LANG=\(lang) LC_ALL=\(lang) TERM=\(term) \(extraEnv) \(Tmux.finalityPath!) \(args)"
    }

    public func send(_ keys: String...) throws { try tmux(["send-keys"] + keys) }
    public func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }

    /// A whole-file change's typed confirmation (a repair, a restore): the first 12 hex
    /// digits of the 64-digit SHA-256 on `screen`, typed, then Enter. The SHA-256 typed
    /// from, or nil when the screen shows none.
    @discardableResult
    public func confirmWithShownSHA256(_ screen: String) throws -> String? {
        guard let sha = screen.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
        else { return nil }
        try type(String(sha.prefix(12)))
        try send("Enter")
        return sha
    }
    public func resize(columns: Int, rows: Int) throws { try tmux(["resize-window", "-x", "\(columns)", "-y", "\(rows)"]) }

    public func capture() throws -> String { try tmux(["capture-pane", "-p"]) }

    /// Polls the screen until `predicate` holds on a settled screen: two captures 40 ms
    /// apart that are the same. A capture taken while the program is still drawing can
    /// show the new screen's first lines over the old screen's rest (CI once matched
    /// "Step 1 of 5" on such a capture and missed the step's text below it). Returns the
    /// last capture either way; a screen that keeps changing while the predicate holds
    /// (a clock) counts at the deadline.
    @discardableResult
    public func waitFor(timeout: Double = 10, _ predicate: (String) -> Bool) throws -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        var held = false
        while Date() < deadline {
            screen = try capture()
            if predicate(screen) {
                held = true
                usleep(40_000)
                let again = try capture()
                if again == screen { return (true, screen) }
                screen = again
                held = predicate(again)
                continue
            }
            held = false
            usleep(50_000)
        }
        return (held, screen)
    }

    public func waitFor(_ text: String, timeout: Double = 10) throws -> (ok: Bool, screen: String) {
        try waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// The exit status the pane's program left, waiting for it.
    public func exitStatus(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: statusFile, encoding: .utf8), let v = Int32(s.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return v
            }
            usleep(50_000)
        }
        return nil
    }

    @discardableResult
    public func tmux(_ args: [String]) throws -> String {
        let r = Spawn.run(Tmux.tmuxPath!, ["-S", socket, "-f", "/dev/null"] + args, outputFile: directory + "/tmux.out")
        guard r.status == 0 else { throw TmuxError(message: "tmux \(args.first ?? "") failed (\(r.status)): \(r.output)") }
        return r.output
    }
}

public struct TmuxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// posix_spawn + waitpid with stdin from /dev/null and output to a file.
public enum Spawn {
    public static func run(_ path: String, _ args: [String], outputFile: String, environment: [String: String]? = nil) -> (status: Int32, output: String) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var env = environment ?? ProcessInfo.processInfo.environment
        env["TMUX"] = nil
        env["LINES"] = nil
        env["COLUMNS"] = nil
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        guard rc == 0 else { return (-1, "posix_spawn: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        let exited = (status & 0x7F) == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }
}
