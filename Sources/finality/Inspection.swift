import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

/// A file read from disk and checked as nodeos would, shared by the read-only commands.
struct Inspection {
    let loaded: LoadedFile
    let verification: Verification

    var path: String { loaded.location.file }
    /// The path as printed for a human: a file name can hold escape sequences.
    var shownPath: String { DisplayText.sanitize(path) }

    /// Reads and checks the file. `subgroup: false` gives the verdict at decode speed plus
    /// the loader's on-curve checks; `withSubgroupWarnings()` adds the costly subgroup
    /// warnings afterwards (they never change the verdict: spring does not check them).
    static func open(_ path: String, checkKeys: Bool = true, subgroup: Bool = true) throws(EngineError) -> Inspection {
        let location = try Location.resolve(path)
        let loaded = try LoadedFile.read(location)
        let now = BlockTimestamp(date: Date())
        let v = SafetyFileReader.verify(
            loaded.bytes, options: .init(checkKeys: checkKeys, checkSubgroup: subgroup, now: now, keyCheckThreads: cores))
        return Inspection(loaded: loaded, verification: v)
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
        return Inspection(loaded: loaded, verification: v)
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
    var damageLine: String? {
        let v = verification
        guard !v.nodeosLoads, let f = v.file else { return nil }
        let n = f.entries.count
        let what = "\(n) entr\(n == 1 ? "y" : "ies")"
        if !v.entriesComplete {
            return "the \(what) below were read from a file \(v.loader.subject) refuses, up to where it breaks (\(v.stoppedAt.map { "offset \($0.offset)" } ?? "unknown offset")); entries marked ! have an error of their own"
        }
        return "the \(what) below were read from a file \(v.loader.subject) refuses; entries marked ! have an error of their own"
    }

    /// `duplicateOf[i]`: the entry nodeos uses instead of entry i (found once, by the reader).
    var duplicateOf: [Int: Int] { verification.duplicateOf }

    /// `PATH: Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read), 598 bytes`
    var summaryLine: String {
        "\(shownPath): \(verification.headline), \(grouped(loaded.bytes.count)) bytes"
    }

    func findingLines() -> [String] {
        verification.errors.map { "error: \(shownPath): \($0)" } + verification.warnings.map { "warning: \(shownPath): \($0)" }
    }

    /// The JSON of entry i, with how it was read.
    func jsonEntry(_ i: Int, _ e: SafetyEntry, network: FinalizerInfo?, lib: LIB? = nil, keys: NodeKeys? = nil) -> JSON {
        let v = verification
        var json = JSONModel.entry(e, index: i, duplicateOf: duplicateOf[i], network: network, lib: lib, keys: keys)
        if case .object(var members) = json {
            members.append(("offset", i < v.entryOffsets.count ? .uint(UInt64(v.entryOffsets[i])) : .null))
            members.append(("read_cleanly", .bool(v.entryReadCleanly(i))))
            members.append(("from_refused_file", .bool(!v.nodeosLoads)))
            json = .object(members)
        }
        return json
    }

    /// Header members every `--json` document about a file starts with.
    var jsonHeader: [(String, JSON)] {
        let v = verification
        return [
            ("file", .string(path)),
            ("data_dir", loaded.location.dataDir.map { .string($0) } ?? .null),
            ("format", v.format.map { .string($0.name) } ?? .null),
            ("headline", .string(v.headline)),
            ("size", .uint(UInt64(loaded.bytes.count))),
            ("sha256", .string(loaded.sha256.hex)),
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
        DisplayText.sanitize(networkVoteText(info, key))
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
