// The speed and memory benchmark (prints figures; never a test). Run it in release:
//   swift build -c release && .build/release/finality-bench [sizes…]
// For each size it writes a v1 file of distinct real keys (k·G1 for consecutive k, one
// point addition each) and reports decode throughput without key checks, key checks per
// second, the wall time and peak memory of `finality list --json` and `finality verify`;
// then one refresh of the network view (`--network [COUNT]` runs only that).
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

// `--network [COUNT]`: only the network view's refresh (issue 23; NetworkBench.swift).
if args.first == "--network" {
    networkBenchmark(count: args.dropFirst().first.flatMap { Int($0) } ?? 1_000)
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

/// Runs a program with its stdout on a pipe that is read to the end; the seconds until a
/// line containing `marker` first appeared, the total seconds, exit status and peak RSS.
/// CPU seconds (user + system, every thread) a running process has used so far.
func cpuSeconds(_ pid: pid_t) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
    return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// The 1-minute load average (other work on the machine slows every figure).
func loadAverage() -> Double {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) > 0 ? l[0] : -1
}

func spawnAndWatch(_ program: String, _ arguments: [String], marker: String) -> (toMarker: Double?, cpuToMarker: Double?, seconds: Double, status: Int32, peakRSS: Int) {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0)
    var pid = pid_t()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let start = now()
    guard posix_spawn(&pid, program, &actions, nil, argv, environ) == 0 else {
        fatalError("cannot run \(program): build it first (swift build -c release)")
    }
    close(fds[1])
    let needle = Array(marker.utf8)
    var window = [UInt8]()
    var seen: Double?
    var cpuSeen: Double?
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        if n <= 0 { break }
        if seen == nil {
            // A plain byte search: `firstRange(of:)` is generic and took longer than
            // `finality` itself to scan the 889 MB of a million-entry `list --json`.
            window += buffer[0..<n]
            if contains(window, needle) {
                seen = now() - start
                cpuSeen = cpuSeconds(pid)
            }
            window = Array(window.suffix(needle.count))
        }
    }
    close(fds[0])
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    posix_spawn_file_actions_destroy(&actions)
    return (seen, cpuSeen, now() - start, (status >> 8) & 0xff, usage.ru_maxrss * 1024)
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
    return haystack.withUnsafeBytes { h in
        needle.withUnsafeBytes { nb in
            var at = 0
            while haystack.count - at >= needle.count {
                guard let hit = memchr(h.baseAddress! + at, Int32(needle[0]), haystack.count - at - needle.count + 1) else { return false }
                let pos = h.baseAddress!.distance(to: UnsafeRawPointer(hit))
                if memcmp(hit, nb.baseAddress!, needle.count) == 0 { return true }
                at = pos + 1
            }
            return false
        }
    }
}

/// Issue 7's targets on this machine, each figure beside `cksum` on the same file.
func measureCommands(_ path: String) {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let budget = size + size / 2 + 30_000_000
    let cksum = spawnAndWait("/usr/bin/cksum", [path], stdoutToNull: true)
    print(String(format: "  cksum (reference):         %.3f s, peak memory %@", cksum.seconds, mb(cksum.peakRSS)))
    print(String(format: "  load average (1 min): %.1f on %d cores: with other work running, wall times grow; CPU seconds do not", loadAverage(), ProcessInfo.processInfo.activeProcessorCount))
    let verify = spawnAndWatch(finality, ["verify", path], marker: "this file")
    print(String(format: "  finality verify: verdict line after %.3f s (target <= 3 s, %.1f× cksum), done after %.3f s (subgroup warnings follow), exit %d, peak memory %@ (target 1.5×file + 30 MB = %@)%@",
        verify.toMarker ?? -1, (verify.toMarker ?? 0) / max(cksum.seconds, 0.001), verify.seconds, verify.status, mb(verify.peakRSS), mb(budget),
        verify.peakRSS <= budget ? "" : "  OVER"))
    print(String(format: "    (CPU used by the verdict line: %.2f s over every thread)", verify.cpuToMarker ?? -1))
    let list = spawnAndWatch(finality, ["list", "--json", path], marker: "\"subgroup_warnings\"")
    print(String(format: "  finality list --json: last entry after %.3f s (target <= 5 s, %.1f× cksum), done after %.3f s, exit %d, peak memory %@ (target %@)%@",
        list.toMarker ?? -1, (list.toMarker ?? 0) / max(cksum.seconds, 0.001), list.seconds, list.status, mb(list.peakRSS), mb(budget),
        list.peakRSS <= budget ? "" : "  OVER"))
    print(String(format: "    (CPU used by the last entry: %.2f s over every thread)", list.cpuToMarker ?? -1))
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

    // The loader's checks (canonical, on the curve: the verdict) over every key, and the
    // subgroup checks (warnings only) over a sample, on one thread and on every core.
    let allEntries = decoded!.entries
    let everyKey = (0..<Int32(allEntries.count)).map { $0 }
    decoded = nil
    for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
        t0 = now()
        let results = KeyChecker.check(allEntries, at: everyKey, scope: .loader, threads: threads)
        let seconds = now() - t0
        precondition(results.allSatisfy { $0 == .valid }, "a generated key failed the loader's check")
        print(String(format: "  on-curve checks, %d thread%@: %.0f keys/s (target >= 500,000/s; %d keys in %.3f s)", threads, threads == 1 ? " " : "s", Double(allEntries.count) / seconds, allEntries.count, seconds))
    }
    let sample = Array(everyKey.prefix(20_000))
    for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
        t0 = now()
        let results = KeyChecker.check(allEntries, at: sample, scope: .subgroup, threads: threads)
        let seconds = now() - t0
        precondition(results.allSatisfy { $0 == .valid }, "a generated key failed its subgroup check")
        print(String(format: "  subgroup checks, %d thread%@: %.0f keys/s (warnings only, after the verdict; %d keys in %.3f s)", threads, threads == 1 ? " " : "s", Double(sample.count) / seconds, sample.count, seconds))
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

networkBenchmark()
