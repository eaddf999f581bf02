import BLS12381
import Foundation
import FinalityFormat
import FinalityEngine
import FinalityTestSupport

/// Fixtures for the recovery command tests (same documented inputs as the engine's).
enum RecoveryFixture {
    static func key(_ k: UInt64) -> BLSPublicKey { TestKeys.key(k) }

    static func id(_ n: UInt32, fill: UInt8 = 0xAB) -> Bytes32 { TestBlocks.id(n, fill: fill) }

    static func ref(_ n: UInt32) -> BlockRef { BlockRef(blockID: id(n), timestamp: BlockTimestamp(slot: n * 2)) }

    /// Key 1 voted 5,230 locked 5,210; key 2 voted 100 locked 90; key 3 never voted.
    static func file() -> SafetyFile {
        SafetyFile(format: .savannaV1, entries: [
            SafetyEntry(key: key(1), state: .savanna(SavannaSafety(lastVote: ref(5230), lock: ref(5210)))),
            SafetyEntry(key: key(2), state: .savanna(SavannaSafety(lastVote: ref(100), lock: ref(90), otherBranchLatestTime: BlockTimestamp(slot: 150)))),
            SafetyEntry(key: key(3), state: .savanna(SavannaSafety(lastVote: .empty, lock: .empty))),
        ])
    }

    /// HotStuff: keys 1 and 2 at _vheight {5,230, 3}, _b_lock = 32 bytes of the key number.
    static func hotStuffFile() -> SafetyFile {
        SafetyFile(format: .hotStuff, entries: [UInt64(1), 2].map { k in
            let affine = key(k).bytes
            let jacobian = affine.withUnsafeBytes { G1.jacobianMontgomeryLE(fromAffineLE: $0) }
            return SafetyEntry(
                key: key(k),
                state: .hotStuff(HotStuffSafety(vheight: VHeight(bheight: 5230, pcounter: 3), bLock: Bytes32([UInt8](repeating: UInt8(k), count: 32)))),
                hotStuffKeyBytes: jacobian)
        })
    }

    /// LIB 5,190 at slot 10,380, typed.
    static let libID = id(5190, fill: 0xCD).hex
    static let libArgs = ["--lib-id", libID, "--lib-slot", "10380"]
    static let lib = LIBReading(lib: LIB(blockID: id(5190, fill: 0xCD), timestamp: BlockTimestamp(slot: 10380)), source: .typed)

    static func dataDir(_ f: SafetyFile = file()) throws -> (dir: String, file: String) {
        try TestFiles.dataDir(f, prefix: "finality-cli-recovery")
    }

    static func read(_ path: String) -> [UInt8] { TestFiles.read(path) }

    static func backups(_ file: String) -> [String] { TestFiles.backups(of: file) }
}

/// The real `finality` binary, run as a child process.
enum RecoveryCLI {
    /// The built binary (shared locator in FinalityTestSupport).
    static let binary: String? = BuiltBinary.finality

    struct Result {
        var status: Int32
        /// The signal that ended the process, if one did.
        var signal: Int32?
        var stdout: String
        var stderr: String
    }

    final class Running: @unchecked Sendable {
        let pid: pid_t
        let out: String
        let err: String
        init(pid: pid_t, out: String, err: String) {
            self.pid = pid
            self.out = out
            self.err = err
        }

        func wait() -> Result {
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
    static func start(_ args: [String], env: [String: String] = [:]) -> Running {
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
        let exe = binary ?? "finality"
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, envp)
        precondition(rc == 0, "cannot start \(exe): \(rc)")
        return Running(pid: pid, out: out, err: err)
    }

    static func run(_ args: [String], env: [String: String] = [:]) -> Result { start(args, env: env).wait() }
}
