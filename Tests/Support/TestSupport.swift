import BLS12381
import FinalityEngine
import FinalityFormat
import Foundation

/// Helpers every test target shares, in one place: documented keys and block ids, data
/// dirs made by the project's own writer, the built `finality` binary, and what CI
/// requires to be present.

/// Keys that are real BLS12-381 points: k·G1, so nodeos's key checks pass and HotStuff
/// keys convert.
public enum TestKeys {
    public static func key(_ k: UInt64) -> BLSPublicKey { BLSPublicKey(bytes: G1.generatorMultipleAffineLE(k)) }
}

public enum TestBlocks {
    /// Block `n`'s id: the number big-endian in the first 4 bytes (as nodeos's ids), then a filler byte.
    public static func id(_ n: UInt32, fill: UInt8 = 0xAB) -> Bytes32 {
        var b = [UInt8](repeating: fill, count: 32)
        b[0] = UInt8(n >> 24)
        b[1] = UInt8(truncatingIfNeeded: n >> 16)
        b[2] = UInt8(truncatingIfNeeded: n >> 8)
        b[3] = UInt8(truncatingIfNeeded: n)
        return Bytes32(b)
    }
}

/// Paths tests make in the temporary directory (`<tmp>/<prefix>-<uuid><suffix>`), each
/// removed when the test process ends: tests clean up after themselves without each one
/// remembering to, and a path made once for several tests (a probe, a shared fixture)
/// lives as long as they run. Only paths named here are removed, and only under the
/// temporary directory: never anything else in /tmp.
public enum TemporaryPaths {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths = [String]()
    nonisolated(unsafe) private static var armed = false

    /// The temporary directory, without a trailing slash.
    public static var root: String {
        let t = FileManager.default.temporaryDirectory.path
        return t.count > 1 && t.hasSuffix("/") ? String(t.dropLast()) : t
    }

    /// A fresh name `<tmp>/<prefix>-<uuid><suffix>` (not created: a directory or a file,
    /// as the caller makes it), removed when the tests end.
    public static func name(_ prefix: String, suffix: String = "") -> String {
        let path = root + "/\(prefix)-\(UUID().uuidString)\(suffix)"
        register(path)
        return path
    }

    /// A fresh directory `<tmp>/<prefix>-<uuid>`, removed when the tests end.
    public static func directory(_ prefix: String) throws -> String {
        let path = name(prefix)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A path something else made (mkdtemp, the binary's demo dir): removed when the tests
    /// end, when it is directly under the temporary directory.
    public static func register(_ path: String) {
        guard isOurs(path) else { return }
        lock.lock()
        defer { lock.unlock() }
        paths.append(path)
        if !armed {
            armed = true
            atexit { TemporaryPaths.removeAll() }
        }
    }

    /// Removes `path` now (a test that wants its space back early); nil-safe and quiet.
    public static func remove(_ path: String) {
        guard isOurs(path) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every registered path, removed (at exit).
    public static func removeAll() {
        lock.lock()
        let all = paths
        paths = []
        lock.unlock()
        for p in all { try? FileManager.default.removeItem(atPath: p) }
    }

    /// Directly under the temporary directory, and not the directory itself.
    static func isOurs(_ path: String) -> Bool {
        let r = root
        guard path.hasPrefix(r + "/") else { return false }
        let rest = path.dropFirst(r.count + 1)
        return !rest.isEmpty && !rest.contains("/") && rest != "." && rest != ".."
    }

    /// The top-level entry under the temporary directory that holds `path`
    /// (`/tmp/finality-demo-x/data` → `/tmp/finality-demo-x`), or nil.
    public static func topLevel(of path: String) -> String? {
        let r = root
        guard path.hasPrefix(r + "/") else { return nil }
        guard let first = path.dropFirst(r.count + 1).split(separator: "/").first else { return nil }
        return r + "/" + first
    }

    /// Registers the top-level entry holding `path` (a data dir the binary made).
    public static func registerTopLevel(of path: String) {
        if let top = topLevel(of: path) { register(top) }
    }
}

public enum TestFiles {
    /// A fresh data dir: `<tmp>/<prefix>-<uuid>/data/finalizers/safety.dat` holding `file`,
    /// and an empty `state/`; `<tmp>/<prefix>-<uuid>` is removed when the tests end.
    public static func dataDir(_ file: SafetyFile, prefix: String = "finality-test") throws -> (dir: String, file: String) {
        let dir = TemporaryPaths.name(prefix) + "/data"
        try FileManager.default.createDirectory(atPath: dir + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        let path = dir + "/finalizers/safety.dat"
        try Data(SafetyFileWriter.encode(file)).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    public static func read(_ path: String) -> [UInt8] { (try? FileBytes.read(path)) ?? [] }

    /// The backups finality made of `file`, oldest first.
    public static func backups(of file: String) -> [String] {
        let dir = RecoveryPaths.backupDirectory(for: file)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }
}

/// The `finality` executable SwiftPM built beside the test bundle.
public enum BuiltBinary {
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
}

/// What must be present. Outside CI a missing tool skips the tests that need it (a
/// developer without tmux can still run the rest); under `CI=true` it fails them: a
/// green CI run never means "skipped".
public enum RequiredTools {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static let tmuxCandidates = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
    public static let tmux: String? = find(tmuxCandidates)

    /// A program on PATH (as `/usr/bin/env` finds it), or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return find(path.split(separator: ":").map { "\($0)/\(name)" })
    }

    /// The first of `candidates` that is an executable file.
    public static func find(_ candidates: [String]) -> String? { candidates.first { access($0, X_OK) == 0 } }

    /// What this machine is: CI or not, the binary and tmux found or not. Tests give their
    /// own to simulate a machine without tmux or without the binary.
    public struct Machine: Sendable {
        public var isCI: Bool
        public var binary: String?
        public var tmux: String?
        public init(isCI: Bool, binary: String?, tmux: String?) {
            self.isCI = isCI
            self.binary = binary
            self.tmux = tmux
        }
        public static var current: Machine { Machine(isCI: RequiredTools.isCI, binary: BuiltBinary.finality, tmux: RequiredTools.tmux) }
    }

    /// Whether a suite needing these runs: when they are there, and always under CI
    /// (where `require` then fails each test that lacks them).
    public static func shouldRun(needsTmux: Bool, on machine: Machine = .current) -> Bool {
        machine.isCI || (machine.binary != nil && (!needsTmux || machine.tmux != nil))
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public static func require(needsTmux: Bool, on machine: Machine = .current) throws {
        var missing = [String]()
        if machine.binary == nil { missing.append("the built finality binary (swift build)") }
        if needsTmux, machine.tmux == nil { missing.append("tmux (apt-get install tmux; .ci/run installs it)") }
        if !missing.isEmpty { throw Missing(description: "missing: " + missing.joined(separator: ", ")) }
    }
}
