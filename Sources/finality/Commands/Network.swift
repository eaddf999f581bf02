import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

extension NetworkSort: ExpressibleByArgument {}

/// Set by SIGINT/SIGTERM/SIGHUP during `network --watch`: the loop ends after the refresh
/// in flight (no half-written metrics file, no temporary left behind).
nonisolated(unsafe) private var networkStopRequested: sig_atomic_t = 0

struct Network: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "The network's view: which finalizers of the policy vote, how much weight is missing, whether this node's keys vote.",
        discussion: """
            Asks each node API for head and LIB (get_info) and the finalizer policies with each key's last tracked vote (get_finalizer_info), and shows the active policy (and the pending one when there is one): each finalizer's description, weight, key ("this node" when the node's config.ini has it), last vote (block, time, strong or weak, blocks behind head) and status, the weight voting strong and weak against the threshold, and a verdict ("LIB advances: strong votes 18 of 21, threshold 15", "LIB stalled since 09:03:14: strong votes 11, threshold 15: 4 more weight must vote; not voting: …"). Nothing is ever written but --prometheus-file.

            Status: voting = the last tracked vote is at most --behind-blocks blocks behind head (its weight counts); behind = an older last vote; not seen = no node API tracked a vote from the key. LIB is stalled when it trails head by more than --stall-blocks slots (head's block time minus LIB's). A strong QC needs the strong votes' weight to reach the threshold; a weak QC strong + weak (finality advances only on strong QCs).

            Several --api: every answer must be on the first one's chain (else refused, exit 1, naming both URLs and chain ids); the first API is the reference for head and LIB; each finalizer's newest vote from any API counts; where the APIs disagree (LIB, a finalizer's last vote) it is shown. An API that does not answer within --api-timeout is listed as not answering.

            --json prints one JSON object (per refresh with --watch: JSON lines). --prometheus prints the Prometheus text exposition format instead of text; --prometheus-file PATH writes it atomically (a temporary name in PATH's directory, then rename) for node_exporter's textfile collector (Docs/network.md lists the metrics; Docs/alerts/finality.rules.yml the alerting rules). --watch refreshes every --interval seconds until Ctrl-C, which ends it cleanly (exit 0).

            Exit codes: 0 the view was shown (whatever the verdict); 1 refused: the node APIs are on different chains; 2 bad usage; 3 no node API answered (or a metrics file could not be written).
            """)

    @Option(name: .customLong("api"), help: "A node's HTTP API base URL; repeat for more nodes (the first is the reference for head and LIB).")
    var apis: [String] = []

    /// The one --config-dir of every command that reads the node's keys: its keys are
    /// marked "this node".
    @OptionGroup var config: ConfigDirOption

    @Flag(help: "Print one JSON object (per refresh with --watch).")
    var json = false

    @Flag(help: "Refresh every --interval seconds until Ctrl-C.")
    var watch = false

    @Option(help: "Seconds between refreshes with --watch.")
    var interval: Double = 2

    @Option(name: .customLong("api-timeout"), help: "Seconds to wait for each node API answer (default 2).")
    var apiTimeout: Double = 2

    @Option(name: .customLong("behind-blocks"), help: "A finalizer whose last vote is more than this many blocks behind head is 'behind' and its weight does not count.")
    var behindBlocks: UInt32 = FinalityEngine.NetworkOptions.defaultBehindBlocks

    @Option(name: .customLong("stall-blocks"), help: "LIB more than this many slots behind head is 'stalled'.")
    var stallBlocks: UInt32 = FinalityEngine.NetworkOptions.defaultStallBlocks

    @Option(help: "Order of the finalizers: policy, weight, last-vote, status.")
    var sort: NetworkSort = .policy

    @Flag(help: "Print the Prometheus text exposition format instead of text.")
    var prometheus = false

    @Option(name: .customLong("prometheus-file"), help: ArgumentHelp("Write the metrics to this file atomically (node_exporter's textfile collector: a name ending in .prom).", valueName: "path"))
    var prometheusFile: String?

    @Flag(help: "Print nothing on standard output (with --prometheus-file).")
    var quiet = false

    func validate() throws {
        guard !apis.isEmpty else { throw ValidationError("network needs at least one --api URL") }
        guard interval.isFinite, interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be 0.1 to 3600 seconds") }
        guard apiTimeout.isFinite, apiTimeout > 0, apiTimeout <= 60 else { throw ValidationError("--api-timeout must be a positive number of seconds, at most 60") }
        if json && prometheus { throw ValidationError("--json and --prometheus: choose one output") }
        if quiet && prometheusFile == nil { throw ValidationError("--quiet goes with --prometheus-file PATH (else nothing would be shown)") }
        if let p = prometheusFile, p.isEmpty || p.hasSuffix("/") { throw ValidationError("--prometheus-file needs a file path") }
    }

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let keys = try configuredKeys()
            let options = FinalityEngine.NetworkOptions(behindBlocks: behindBlocks, stallBlocks: stallBlocks)
            if !watch {
                let view = try NetworkSampler.refresh(apis: apis, configuredKeys: keys, options: options, apiTimeout: apiTimeout)
                var out = Output()
                try show(view, &out, redraw: false)
                out.flush()
                return .success
            }
            return try loop(keys: keys, options: options)
        }
    }

    /// nodeos's config: --config-dir; else the running nodeos's when exactly one runs on
    /// this machine (no safety file names it here); else nodeos's default config dir. nil
    /// when none was found. --config-dir that has no readable config.ini is bad usage (the
    /// marks would silently be absent).
    func configuredKeys() throws(EngineError) -> [BLSPublicKey]? {
        let configDir = config.configDir
        var running: NodeosProcess?
        if configDir == nil, let pids = try? NodeosScan.pids(procRoot: "/proc") {
            let nodes = pids.compactMap { NodeosScan.read(pid: $0) }
            if nodes.count == 1 { running = nodes[0] }
        }
        let found = NodeConfig.find(configDir: configDir, dataDir: nil, running: running, home: ProcessInfo.processInfo.environment["HOME"])
        if let dir = configDir, !found.found {
            throw .usage("--config-dir \(dir): no readable config.ini there (\(found.looked.joined(separator: "; ")))")
        }
        return found.found ? found.publicKeys : nil
    }

    func show(_ view: NetworkView, _ out: inout Output, redraw: Bool) throws(EngineError) {
        if let path = prometheusFile { try MetricsFile.write(NetworkMetrics.text(view), to: path) }
        if quiet { return }
        if prometheus {
            out.write(SafeText(lines: NetworkMetrics.text(view)))
        } else if json {
            out.line(NetworkText.json(view, sort: sort).text(pretty: !watch))
        } else {
            if redraw { out.write("\u{1B}[H\u{1B}[2J") }
            out.lines(NetworkText.lines(view, sort: sort))
            if watch && !redraw { out.line() }
        }
    }

    func loop(keys: [BLSPublicKey]?, options: FinalityEngine.NetworkOptions) throws(EngineError) -> ExitStatus {
        // ^C, kill and a closed terminal end the watch after the refresh in flight, whatever
        // mask or ignored signals it inherited (a background job starts with SIGINT ignored).
        var signals = sigset_t()
        sigemptyset(&signals)
        for s in [SIGINT, SIGTERM, SIGHUP] {
            sigaddset(&signals, s)
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in networkStopRequested = 1 }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: the pause between refreshes ends at once
            sigaction(s, &action, nil)
        }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        let redraw = !json && !prometheus && isatty(1) == 1
        var out = Output()
        while networkStopRequested == 0 {
            let tick = Date()
            do {
                let view = try NetworkSampler.refresh(apis: apis, configuredKeys: keys, options: options, apiTimeout: apiTimeout)
                try show(view, &out, redraw: redraw)
            } catch {
                // A refresh that fails (no API answers, another chain) is shown and the watch
                // goes on: the incident is when a node stops answering.
                if case .usage = error { throw error }
                if !quiet {
                    if json {
                        out.line(JSON.object([("error", .string(error.description)), ("exit_status", .int(Int64(error.status.rawValue)))]).text())
                    } else {
                        if redraw { out.write("\u{1B}[H\u{1B}[2J") }
                        out.line("finality network: " + error.text)
                    }
                }
            }
            out.flush()
            var wait = interval - Date().timeIntervalSince(tick)
            while wait > 0 && networkStopRequested == 0 {
                usleep(useconds_t(min(wait, 0.2) * 1_000_000))
                wait = interval - Date().timeIntervalSince(tick)
            }
        }
        return .success
    }
}
