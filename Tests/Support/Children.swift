import Foundation
import FinalityEngine

/// Child processes that play a running node, for the interlock tests.
public final class Child: @unchecked Sendable {
    public let process = Process()
    public var pid: Int32 { process.processIdentifier }

    public init(_ executable: String, _ arguments: [String], cwd: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until `ready` holds (polling), at most 10 s.
    @discardableResult
    public func wait(until ready: () -> Bool) -> Bool {
        for _ in 0..<1000 {
            if ready() { return true }
            usleep(10_000)
        }
        return false
    }

    public func stop() {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// A process holding a POSIX write lock (fcntl F_SETLK, as chainbase takes it) on all
    /// of `path`: Python's `fcntl.lockf`. It creates `ready` once it holds the lock.
    public static func lockHolder(_ path: String, ready: String) throws -> Child? {
        guard let python = RequiredTools.which("python3") else { return nil }
        let script = """
            import fcntl, sys, time
            f = open(sys.argv[1], 'r+')
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            open(sys.argv[2], 'w').close()
            time.sleep(120)
            """
        return try Child(python, ["-c", script, path, ready])
    }

    /// A copy of `program` named `nodeos` in a fresh directory.
    public static func fakeNodeos(copying program: String) throws -> String {
        let dir = TemporaryPaths.name("fake-nodeos")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/nodeos"
        try FileManager.default.copyItem(atPath: program, toPath: path)
        return path
    }

    /// The process's arguments as /proc shows them (empty until exec has set them up).
    public func commandLine() -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    public func comm() -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func hasOpen(_ path: String) -> Bool {
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return false }
        return fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == path }
    }
}

/// A spawned child starts with stdin, stdout and stderr only. Tests run in parallel in one
/// process: a descriptor another test has open at that moment (Foundation opens files
/// without O_CLOEXEC) would otherwise live on in the child, and in a tmux server for as
/// long as it runs, where the interlocks rightly see "pid N (tmux: server) has
/// …/safety.dat open" and refuse that other test's change (seen under load).
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    // glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module
    // does not declare (spawn.h has it under __USE_MISC).
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        preconditionFailure("glibc without posix_spawn_file_actions_addclosefrom_np (2.34 and later have it)")
    }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
}

/// Runs a program to its end (posix_spawn + waitpid: no reliance on Foundation's
/// SIGCHLD bookkeeping, which tests running in parallel confuse). Returns its exit status.
@discardableResult
public func runToEnd(_ executable: String, _ arguments: [String]) -> Int32 {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    closeInheritedDescriptors(&actions)
    guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

extension Child {
    /// A running "nodeos" with exactly these arguments: a copy of bash named nodeos running
    /// a loop script, so that /proc/PID/cmdline reads `nodeos SCRIPT ARGS…` (the script
    /// path is a positional argument nodeos's parser would ignore here).
    public static func nodeos(_ arguments: [String], cwd: String = "/") throws -> Child {
        let shell = try fakeNodeos(copying: "/bin/bash")
        let script = PathText.directory(shell) + "/loop.sh"
        try Data("while :; do sleep 0.2; done\n".utf8).write(to: URL(fileURLWithPath: script))
        // A copy just written can be "Text file busy" for a moment: another test's child
        // forked while the copy's descriptor was open inherits it until its own exec.
        var started: Child?
        for attempt in 0..<50 {
            do {
                started = try Child(shell, [script] + arguments, cwd: cwd)
                break
            } catch {
                if attempt == 49 { throw error }
                usleep(20_000)
            }
        }
        let child = started!
        // exec sets the name before the new argument area: wait for both.
        _ = child.wait { child.comm() == "nodeos" && child.commandLine().count == arguments.count + 2 }
        return child
    }
}
