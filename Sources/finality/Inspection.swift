import ArgumentParser
import Dispatch
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

/// A file read from disk and checked as nodeos would, shared by the read-only commands.
struct Inspection {
    let loaded: LoadedFile
    let verification: Verification
    /// The file's size; more than `loaded.bytes.count` when only its start was read (a
    /// file larger than its header accounts for: the rest is trailing bytes nodeos ignores).
    let fileSize: Int
    /// The SHA-256 is of the whole file only when the whole file was read.
    var sha256Text: String? { loaded.bytes.count == fileSize ? loaded.sha256.hex : nil }
    /// The `sha256` line of `verify`.
    var sha256Line: SafeText {
        sha256Text.map { "sha256 \($0)" }
            ?? "sha256 not computed: finality read the first \(grouped(Int64(loaded.bytes.count))) of \(grouped(Int64(fileSize))) bytes (what the header accounts for, plus 1 MiB)"
    }

    var path: String { loaded.location.file }
    /// The path as printed for a human: a file name can hold escape sequences.
    var shownPath: SafeText { SafeText(path) }

    /// Reads and checks the file. `subgroup: false` gives the verdict at decode speed plus
    /// the loader's on-curve checks; `withSubgroupWarnings()` adds the costly subgroup
    /// warnings afterwards (they never change the verdict: spring does not check them).
    static func open(_ path: String, checkKeys: Bool = true, subgroup: Bool = true) throws(EngineError) -> Inspection {
        let location = try Location.resolve(path)
        // Only the start of a file larger than its header accounts for (its verdict is
        // spring's: the bytes after are trailing bytes, a warning; see `readStart`).
        let start = try SafetyFileInput.readStart(location.file, digests: .crcAndSHA256)
        let now = BlockTimestamp(date: Date())
        let options = SafetyFileReader.Options(checkKeys: checkKeys, checkSubgroup: subgroup, now: now, keyCheckThreads: cores)
        let (loaded, v) = SafetyFileInput.hashAndVerify(location, start: start, options: options)
        return Inspection(loaded: loaded, verification: v, fileSize: start.fileSize)
    }

    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The subgroup warnings a verdict-first inspection left out, on every core.
    func subgroupWarnings() -> [Finding] {
        verification.subgroupChecked ? [] : SafetyFileReader.subgroupWarnings(verification, threads: Self.cores)
    }

    /// This inspection with the subgroup warnings in place (sorted among the others).
    func withSubgroupWarnings() -> Inspection {
        guard !verification.subgroupChecked else { return self }
        var v = verification
        v.warnings += subgroupWarnings()
        v.warnings.sort { ($0.offset, $0.check.rawValue) < ($1.offset, $1.check.rawValue) }
        v.subgroupChecked = true
        return Inspection(loaded: loaded, verification: v, fileSize: fileSize)
    }

    /// The decoded file (for a damaged file: every entry that could be read), or the first
    /// error (naming the file) when not even the header is readable.
    func file() throws(EngineError) -> SafetyFile {
        guard let f = verification.file else {
            throw .invalid(path: path, finding: verification.errors[0])
        }
        return f
    }

    /// Said before the entries of a file nodeos refuses: they are what could be read.
    var damageLine: SafeText? {
        let v = verification
        guard !v.nodeosLoads, let f = v.file else { return nil }
        let n = f.entries.count
        let what = "\(grouped(n)) entr\(n == 1 ? "y" : "ies")"
        if !v.entriesComplete {
            return "the \(what) below were read from a file \(v.loader.subject) refuses, up to where it breaks (\(v.stoppedAt.map { "offset \($0.offset)" } ?? "unknown offset")); entries marked ! have an error of their own"
        }
        return "the \(what) below were read from a file \(v.loader.subject) refuses; entries marked ! have an error of their own"
    }

    /// `duplicateOf[i]`: the entry nodeos uses instead of entry i (found once, by the reader).
    var duplicateOf: [Int: Int] { verification.duplicateOf }

    /// `PATH: Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read), 598 bytes`
    var summaryLine: SafeText {
        "\(shownPath): \(verification.headline), \(grouped(fileSize)) bytes"
    }

    func findingLines() -> [SafeText] {
        verification.errors.map { "error: \(shownPath): \($0)" } + verification.warnings.map { "warning: \(shownPath): \($0)" }
    }

    /// The JSON of entry i, with how it was read.
    /// What nodeos will do with entry i today (`VoteRules.verdict`): `list`'s VERDICT column
    /// and its `--json` `verdict`. A last vote in the future is the reader's own finding
    /// (it read the file with this machine's clock as "now").
    func verdict(_ i: Int, _ e: SafetyEntry, lib: LIB?, keys: NodeKeys?, future: Set<Int>) -> KeyVerdict {
        Self.verdict(i, e, nodeosLoads: verification.nodeosLoads, lib: lib, keys: keys, future: future)
    }

    static func verdict(_ i: Int, _ e: SafetyEntry, nodeosLoads: Bool, lib: LIB?, keys: NodeKeys?, future: Set<Int>) -> KeyVerdict {
        let finding = future.contains(i) ? [Finding(.warning, .futureTimestamp, offset: 0, entry: i, field: "last_vote.timestamp", expected: "", found: "")] : []
        return VoteRules.verdict(e, nodeosLoads: nodeosLoads, lib: lib, keys: keys, findings: finding)
    }

    /// The entries whose last vote the reader found later than now.
    var futureVoteEntries: Set<Int> {
        Set(verification.warnings.compactMap { $0.check == .futureTimestamp && $0.field == "last_vote.timestamp" ? $0.entry : nil })
    }

    func jsonEntry(_ i: Int, _ e: SafetyEntry, network: FinalizerInfo?, lib: LIB? = nil, keys: NodeKeys? = nil, future: Set<Int> = []) -> JSON {
        let v = verification
        var json = JSONModel.entry(
            e, index: i, duplicateOf: duplicateOf[i], network: network, lib: lib, keys: keys,
            verdict: verdict(i, e, lib: lib, keys: keys, future: future))
        if case .object(var members) = json {
            members.append(("offset", i < v.entryOffsets.count ? .uint(UInt64(v.entryOffsets[i])) : .null))
            members.append(("read_cleanly", .bool(v.entryReadCleanly(i))))
            members.append(("from_refused_file", .bool(!v.nodeosLoads)))
            json = .object(members)
        }
        return json
    }

    /// `list --json`'s entries without a network answer: each as `jsonEntry` writes it
    /// (`"\n    "` before the first, `",\n    "` between), built straight into byte
    /// buffers (no String or JSON tree per entry), a run of entries per core at a time,
    /// and written to standard output in file order in large writes.
    func writeJSONEntries(_ file: SafetyFile, lib: LIB?, keys: NodeKeys? = nil) {
        let v = verification
        let bad = v.entriesWithErrors
        let refused = !v.nodeosLoads
        let future = futureVoteEntries
        let offsets = v.entryOffsets
        let duplicateOf = duplicateOf
        // Entries decoded per run, without shared retains (see `EntryRuns`).
        let runs = EntryRuns(file.entries, offsets: offsets)
        let n = file.entries.count
        let run = 8192
        let workers = Self.cores
        @Sendable func encode(_ lo: Int, _ hi: Int) -> [UInt8] {
            var buffer = [UInt8]()
            buffer.reserveCapacity((hi - lo) * 960)
            runs.forEach(lo, hi) { i, entry in
                buffer.append(contentsOf: i == 0 ? "\n    ".utf8 : ",\n    ".utf8)
                JSONModel.appendEntryOpen(
                    entry, index: i, duplicateOf: duplicateOf[i], lib: lib, keys: keys, verdict: Self.verdict(i, entry, nodeosLoads: !refused, lib: lib, keys: keys, future: future), into: &buffer)
                buffer.append(contentsOf: #","offset":"#.utf8)
                if i < offsets.count { buffer.append(contentsOf: String(offsets[i]).utf8) } else { buffer.append(contentsOf: "null".utf8) }
                buffer.append(contentsOf: (bad.contains(i) ? #","read_cleanly":false"# : #","read_cleanly":true"#).utf8)
                buffer.append(contentsOf: (refused ? #","from_refused_file":true}"# : #","from_refused_file":false}"#).utf8)
            }
            return buffer
        }
        // While the workers encode one batch, one more task writes the batch before it:
        // a reader slower than the encoding (a pipe) never leaves the cores idle.
        var start = 0
        var previous = [[UInt8]]()
        while start < n || !previous.isEmpty {
            let batchStart = start
            let toWrite = previous
            var pieces = [[UInt8]](repeating: [], count: workers)
            pieces.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let out = buffer
                DispatchQueue.concurrentPerform(iterations: workers + 1) { w in
                    if w == workers {
                        for piece in toWrite { Self.writeOut(piece) }
                        return
                    }
                    let lo = batchStart + w * run
                    let hi = min(n, lo + run)
                    if lo < hi { out[w] = encode(lo, hi) }
                }
            }
            previous = start < n ? pieces : []
            start += workers * run
        }
    }

    /// All of `bytes` to standard output (after `Output`'s own buffer was flushed).
    static func writeOut(_ bytes: [UInt8]) { Output.writeJSON(bytes) }

    /// Header members every `--json` document about a file starts with.
    var jsonHeader: [(String, JSON)] {
        let v = verification
        return [
            ("file", .string(path)),
            ("data_dir", loaded.location.dataDir.map { .string($0) } ?? .null),
            ("format", v.format.map { .string($0.name) } ?? .null),
            ("headline", .string(v.headline)),
            ("size", .uint(UInt64(fileSize))),
            // null when only the start of the file was read (see `readStart`).
            ("sha256", sha256Text.map { .string($0) } ?? .null),
            // The program the verdict speaks for; nodeos_loads is that program's verdict.
            ("loader", .string(v.loader.name)),
            ("nodeos_loads", .bool(v.nodeosLoads)),
            ("verdict", .string(v.verdictLine)),
            ("entries_complete", .bool(v.entriesComplete)),
        ]
    }

    /// What a node's API says each key last voted for, when `--api` was given. A failure
    /// is reported after the listing (exit 3); it never hides the file's own content.
    static func network(_ url: String?, timeout: Double) -> (FinalizerInfo?, EngineError?) {
        guard let url else { return (nil, nil) }
        do {
            return (try LIBSources.finalizerInfo(url, timeoutSeconds: timeout), nil)
        } catch {
            return (nil, error)
        }
    }

    /// `#400000212 strong` / `#400000212 weak` / `not tracked`.
    static func networkVote(_ info: FinalizerInfo, _ key: BLSPublicKey) -> String {
        networkVoteText(info, key)
    }

    static func networkVoteText(_ info: FinalizerInfo, _ key: BLSPublicKey) -> String {
        guard let v = info.vote(for: key) else { return "not tracked" }
        return "#\(grouped(v.blockNumber)) \(v.isStrong ? "strong" : "weak")\(v.problems.isEmpty ? "" : " (!)")"
    }
}

/// `--api URL` of `list` and `show`: the network's last tracked vote beside each entry.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("api"), help: "A Spring node's API: show each key's last vote as the network tracked it (POST /v1/chain/get_finalizer_info).")
    var apiURL: String?

    @Option(name: .customLong("api-timeout"), help: "Seconds to wait for the node API.")
    var apiTimeout: Double = 5
}
