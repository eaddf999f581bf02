// The speed and memory benchmark (prints figures; never a test). Run it in release:
//   swift build -c release && .build/release/finality-bench [sizes…]
// For each size it writes a v1 file of distinct real keys (k·G1 for consecutive k, one
// point addition each) and reports decode throughput without key checks, key checks per
// second, the wall time and peak memory of `finality list --json` and `finality verify`.
import BLS12381
import FinalityFormat
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let args = CommandLine.arguments.dropFirst()

let sizes = args.isEmpty ? [10, 10_000, 1_000_000] : args.compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let finality = binDir + "/finality"

// `--measure FILE`: run by the benchmark itself, freshly exec'd. posix_spawn shares the
// parent's address space until exec (CLONE_VM), and exec records that space's
// high-water mark in the child's ru_maxrss: measured from the big benchmark process,
// `finality` would be charged for the benchmark's own memory. A small process has a
// small high-water mark, so it measures honestly.
if args.first == "--measure", let path = args.dropFirst().first {
    measureCommands(path)
    exit(0)
}

let workDir = FileManager.default.temporaryDirectory.appendingPathComponent("finality-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: workDir) }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }

/// Runs a program and waits; wall seconds, exit status, peak RSS bytes of the child.
func spawnAndWait(_ program: String, _ arguments: [String], stdoutToNull: Bool) -> (seconds: Double, status: Int32, peakRSS: Int) {
    var pid = pid_t()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    if stdoutToNull { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let start = now()
    guard posix_spawn(&pid, program, &actions, nil, argv, environ) == 0 else {
        fatalError("cannot run \(program): build it first (swift build -c release)")
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = now() - start
    posix_spawn_file_actions_destroy(&actions)
    return (seconds, (status >> 8) & 0xff, usage.ru_maxrss * 1024)
}

/// The wall time and peak memory of `finality list --json` and `finality verify`.
func measureCommands(_ path: String) {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    for command in [["list", "--json", path], ["verify", path]] {
        let r = spawnAndWait(finality, command, stdoutToNull: true)
        let budget = 3 * size + 50_000_000
        print(String(format: "  finality %@: %.3f s, exit %d, peak memory %@ (budget 3×file + 50 MB = %@)%@",
            command[0] == "list" ? "list --json" : "verify", r.seconds, r.status, mb(r.peakRSS), mb(budget),
            r.peakRSS <= budget ? "" : "  OVER BUDGET"))
    }
    fflush(nil)
}

print("finality benchmark: \(ProcessInfo.processInfo.activeProcessorCount) cores, binary \(finality)")
for n in sizes {
    // Real, distinct keys: consecutive multiples of the generator.
    var t0 = now()
    var entries = [SafetyEntry]()
    entries.reserveCapacity(n)
    var multiples = GeneratorMultiples(startingAt: 1)
    let lock = BlockRef(blockID: Bytes32([UInt8](repeating: 7, count: 32)), timestamp: BlockTimestamp(slot: 1_693_612_800))
    for i in 0..<n {
        let key = BLSPublicKey(bytes: multiples.next()!)
        let vote = BlockRef(blockID: Bytes32([UInt8](repeating: UInt8(i & 0xff), count: 32)), timestamp: BlockTimestamp(slot: 1_693_612_810))
        entries.append(SafetyEntry(key: key, state: .savanna(SavannaSafety(lastVote: vote, lock: lock))))
    }
    let keysSeconds = now() - t0
    let bytes = SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: entries))
    entries = []
    let path = workDir + "/safety-\(n).dat"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    print("\n\(n) entries: \(mb(bytes.count)); \(n) keys generated in \(String(format: "%.2f", keysSeconds)) s (\(Int(Double(n) / keysSeconds)) keys/s)")

    // Decoding without key checks: repeat until at least a second has passed.
    var iterations = 0
    t0 = now()
    var decoded: SafetyFile?
    repeat {
        decoded = try SafetyFileReader.decode(bytes, options: .init(checkKeys: false))
        iterations += 1
    } while now() - t0 < 1.0 || iterations < 3
    let decodeSeconds = (now() - t0) / Double(iterations)
    print(String(format: "  decode (no key checks):  %.0f MB/s (%.4f s per decode, %d runs)", Double(bytes.count) / 1e6 / decodeSeconds, decodeSeconds, iterations))

    // Key checks: each distinct key once, on one thread and on every core.
    let keys = Array(decoded!.entries.prefix(20_000).map(\.key))
    decoded = nil
    for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
        t0 = now()
        let results = KeyChecker.check(keys, threads: threads)
        let seconds = now() - t0
        precondition(results.allSatisfy { $0 == .valid }, "a generated key failed its check")
        print(String(format: "  key checks, %d thread%@:  %.0f keys/s (%d keys in %.3f s)", threads, threads == 1 ? " " : "s", Double(keys.count) / seconds, keys.count, seconds))
    }

    fflush(nil)
    let me = CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
    _ = spawnAndWait(me, ["--measure", path], stdoutToNull: false)
    if let keep = ProcessInfo.processInfo.environment["FINALITY_BENCH_KEEP"] {
        try? FileManager.default.moveItem(atPath: path, toPath: keep + "/safety-\(n).dat")
    } else {
        try? FileManager.default.removeItem(atPath: path)
    }
}
