import ArgumentParser
import FinalityEngine
import FinalityFormat
import Foundation

/// A file read from disk and checked as nodeos would, shared by the read-only commands.
struct Inspection {
    let loaded: LoadedFile
    let verification: Verification

    var path: String { loaded.location.file }

    static func open(_ path: String, checkKeys: Bool = true) throws(EngineError) -> Inspection {
        let location = try Location.resolve(path)
        let loaded = try LoadedFile.read(location)
        let now = BlockTimestamp(date: Date())
        let v = SafetyFileReader.verify(loaded.bytes, options: .init(checkKeys: checkKeys, now: now))
        return Inspection(loaded: loaded, verification: v)
    }

    /// The decoded file, or the first error (naming the file) when its layout is unreadable.
    func file() throws(EngineError) -> SafetyFile {
        guard let f = verification.file else {
            throw .invalid(path: path, finding: verification.errors[0])
        }
        return f
    }

    /// `duplicateOf[i]`: the entry nodeos uses instead of entry i (found once, by the reader).
    var duplicateOf: [Int: Int] { verification.duplicateOf }

    var summaryLine: String {
        let v = verification
        let count = v.file.map { "\($0.entries.count) entr\($0.entries.count == 1 ? "y" : "ies")" } ?? "unreadable"
        let format = v.file.map { $0.format.description } ?? "unknown format"
        return "\(path): \(format), \(count), \(loaded.bytes.count) bytes"
    }

    func findingLines() -> [String] {
        verification.errors.map { "error: \(path): \($0)" } + verification.warnings.map { "warning: \(path): \($0)" }
    }

    /// Header members every `--json` document about a file starts with.
    var jsonHeader: [(String, JSON)] {
        let v = verification
        return [
            ("file", .string(path)),
            ("data_dir", loaded.location.dataDir.map { .string($0) } ?? .null),
            ("format", v.file.map { .string($0.format.name) } ?? .null),
            ("size", .uint(UInt64(loaded.bytes.count))),
            ("sha256", .string(loaded.sha256.hex)),
            ("nodeos_loads", .bool(v.nodeosLoads)),
            ("verdict", .string(v.verdictLine)),
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
        guard let v = info.vote(for: key) else { return "not tracked" }
        return "#\(v.blockNumber) \(v.isStrong ? "strong" : "weak")\(v.problems.isEmpty ? "" : " (!)")"
    }
}

/// `--api URL` of `list` and `show`: the network's last tracked vote beside each entry.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("api"), help: "A Spring node's API: show each key's last vote as the network tracked it (POST /v1/chain/get_finalizer_info).")
    var apiURL: String?

    @Option(name: .customLong("api-timeout"), help: "Seconds to wait for the node API.")
    var apiTimeout: Double = 5
}
