import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch the node catch up and the key vote again: a live, read-only view.",
        discussion: """
            Every refresh asks each node API for head and LIB (get_info) and each key's last tracked vote (get_finalizer_info), and re-reads the safety file read-only (safe while nodeos runs on it: a read that catches nodeos mid-save is tried again). The first --api is the node that runs on this file; more --api give the network's view. Nothing is ever written.

            The watch stays on one chain: every answer's chain id must be the data dir's blocks.log's (when it has one), else the first answer's; a node that answers with another chain id, or whose LIB goes backwards, is marked OFF CHAIN for the rest of the watch and nothing it reports counts (its votes, its head).

            --until-vote KEY --timeout SECONDS: for scripts and tickets. Exit codes: 0 the key's first vote after the start was seen on the chain (strong or weak is printed); 1 the timeout came first (the last state is printed); 2 bad usage; 3 no node API answered at all; 5 every node API left the chain, so no vote can count (the reason is printed).

            --json prints one JSON object per refresh (JSON lines). --prometheus prints the Prometheus text exposition format per refresh instead (the network's metrics, as `finality network --prometheus`, and the file's own keys' last vote and lock); --prometheus-file PATH writes it atomically each refresh for node_exporter's textfile collector (Docs/network.md).
            """)

    @Argument(help: "The safety file, or a nodeos data dir holding finalizers/safety.dat.")
    var path: String

    @Option(name: .customLong("api"), help: "A node's HTTP API base URL; repeat for more nodes (the first is this file's node).")
    var apis: [String] = []

    @Option(name: .customLong("key"), help: "Watch only this key (PUB_BLS_ text or a unique part); repeatable.")
    var keys: [String] = []

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 1

    @Option(name: .customLong("api-timeout"), help: "Seconds to wait for each node API answer (default: the interval, at most 2).")
    var apiTimeout: Double?

    @Option(name: .customLong("until-vote"), help: "Exit 0 when this key's first vote after the start is seen; only this key is printed (with --key, those too).")
    var untilVote: String?

    @Option(help: "With --until-vote: give up after this many seconds (exit 1; 3 when no API ever answered).")
    var timeout: Double?

    @Flag(help: "Print one JSON object per refresh (JSON lines).")
    var json = false

    @Flag(help: "Print the Prometheus text exposition format per refresh instead of text.")
    var prometheus = false

    @Option(name: .customLong("prometheus-file"), help: ArgumentHelp("Write the metrics to this file atomically each refresh (node_exporter's textfile collector).", valueName: "path"))
    var prometheusFile: String?

    func validate() throws {
        guard !apis.isEmpty else { throw ValidationError("watch needs at least one --api URL (the node running on this file)") }
        guard interval.isFinite, interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be 0.1 to 3600 seconds") }
        if let t = apiTimeout, !(t.isFinite && t > 0 && t <= 60) { throw ValidationError("--api-timeout must be a positive number of seconds, at most 60") }
        if let t = timeout {
            guard untilVote != nil else { throw ValidationError("--timeout goes with --until-vote KEY") }
            guard t.isFinite, t > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        }
        if untilVote != nil && timeout == nil { throw ValidationError("--until-vote needs --timeout SECONDS (a script must end)") }
        if json && prometheus { throw ValidationError("--json and --prometheus: choose one output") }
        if let p = prometheusFile, p.isEmpty || p.hasSuffix("/") { throw ValidationError("--prometheus-file needs a file path") }
    }

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let location = try watchedLocation()
            let watched = try resolveKeys(location.file)
            let untilKey = try untilVote.map { q throws(EngineError) in try resolveKey(q, file: location.file) }
            var keyList = watched
            if let k = untilKey {
                // The key --until-vote waits for is always watched, even when the file is
                // missing or does not hold it (else the timeout could never be reached);
                // without --key it is the only key watched and printed.
                var list = keyList ?? []
                if !list.contains(k) { list.append(k) }
                keyList = list
            }
            let changeKey = untilKey ?? keyList?.first
            let config = WatchConfig(
                file: location.file, apis: apis, keys: keyList, interval: interval,
                change: changeKey.flatMap { WatchChange.lastRecorded(file: location.file, key: $0) },
                chain: WatchChain.blocksLog(dataDir: location.dataDir))
            return runLoop(config, untilKey: untilKey)
        }
    }

    func runLoop(_ config: WatchConfig, untilKey: BLSPublicKey?) -> ExitStatus {
        // A watch runs until stopped: ^C and kill end it, whatever mask or ignored signals
        // it inherited (a background job of a script starts with SIGINT ignored).
        var signals = sigset_t()
        sigemptyset(&signals)
        for s in [SIGINT, SIGTERM, SIGHUP] {
            sigaddset(&signals, s)
            signal(s, SIG_DFL)
        }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        let timeoutSeconds = apiTimeout ?? min(2, max(0.5, interval))
        var state = WatchState(config)
        let start = Date()
        let redraw = !json && !prometheus && isatty(1) == 1
        var out = Output()
        while true {
            let tick = Date()
            state.update(WatchSampler.sample(config, wanted: state.blockHeightsWanted, apiTimeout: timeoutSeconds))
            if let path = prometheusFile {
                do throws(EngineError) { try MetricsFile.write(WatchMetrics.text(state), to: path) } catch {
                    printError(error.text)
                    return .io
                }
            }
            if prometheus {
                out.write(SafeText(lines: WatchMetrics.text(state)))
            } else if json {
                out.line(state.json.text())
            } else {
                if redraw { out.write("\u{1B}[H\u{1B}[2J") }
                out.lines(state.lines())
                if !redraw { out.line() }
            }
            out.flush()
            if let key = untilKey {
                let k = state.keys.first { $0.key == key }
                let verdict = k.map { state.verdict($0) } ?? .waiting(last: nil, milliseconds: 0, nodeos: nil)
                if verdict.sawNewVote {
                    // On stdout for a ticket; on stderr under --json, which keeps stdout JSON lines.
                    let line: SafeText = "\(key.shortText(28)): \(verdict.text)"
                    if json { printNote(line) } else { out.line(line); out.flush() }
                    return .success
                }
                // Votes count only from nodes on the chain: when none is left, none can.
                if state.noTrustedNode {
                    let why = state.offChainNodes.map { "\($0.url): \($0.why.text)" }.joined(separator: "; ")
                    printError("stopped waiting for a vote from \(key.shortText(28)): every node API left the chain: \(why)")
                    return .offChain
                }
                if let limit = timeout, Date().timeIntervalSince(start) >= limit {
                    if !state.everAnswered {
                        printError("no node API answered in \(WatchText.seconds(Int64(limit * 1000))): \(apis.joined(separator: ", "))")
                        return .io
                    }
                    printError("no vote from \(key.shortText(28)) after \(WatchText.seconds(Int64(limit * 1000))): \(verdict.text)")
                    return .invalidOrRefused
                }
            }
            var wait = interval - Date().timeIntervalSince(tick)
            if let limit = timeout { wait = min(wait, limit - Date().timeIntervalSince(start)) }
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
        }
    }

    /// PATH as every command resolves it; a safety file that does not exist yet (deleted,
    /// for nodeos to create at its next start) is watched all the same: its line says so.
    func watchedLocation() throws(EngineError) -> Location {
        do {
            return try Location.resolve(path)
        } catch {
            var isDir = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir {
                let file = path + "/finalizers/safety.dat"
                guard !FileManager.default.fileExists(atPath: file) else { throw error }
                return Location(file: file, dataDir: path)
            }
            let parent = PathText.directory(path)
            guard !FileManager.default.fileExists(atPath: path),
                FileManager.default.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isDir), isDir
            else { throw error }
            return Location(file: path, dataDir: nil)
        }
    }

    /// Keys named by --key: matched in the file (a unique part is enough), or a full
    /// PUB_BLS_ text when the file cannot be read.
    func resolveKeys(_ file: String) throws(EngineError) -> [BLSPublicKey]? {
        guard !keys.isEmpty else { return nil }
        var out = [BLSPublicKey]()
        for q in keys {
            let k = try resolveKey(q, file: file)
            if !out.contains(k) { out.append(k) }
        }
        return out
    }

    func resolveKey(_ query: String, file: String) throws(EngineError) -> BLSPublicKey {
        let q = query.trimmed(.whitespaces)
        // A whole key need not be in the file (an entry deleted, a file nodeos has not written yet).
        if let key = try? BLSPublicKey(text: q) { return key }
        guard case .read(let f, _) = WatchSampler.readFile(file) else {
            throw .usage("\(String(q.prefix(40))): the file cannot be read to match a part of a key; give the full PUB_BLS_ text")
        }
        return f.entries[try KeyMatch.find(q, in: f)].key
    }

    func printNote(_ s: SafeText) {
        StandardError.write("finality: " + s + "\n")
    }
}
