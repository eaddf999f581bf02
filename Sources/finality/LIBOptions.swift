import ArgumentParser
import FinalityEngine
import FinalityFormat

/// The LIB source options shared by `lib` and `reset`. Several sources may be given at
/// once; they are all read and shown side by side, never merged.
struct LIBOptions: ParsableArguments {
    @Option(name: .customLong("blocks-dir"), help: "A nodeos blocks directory: LIB is the last block of blocks.log.")
    var blocksDirs: [String] = []

    @Option(name: .customLong("api"), help: "A node's HTTP API base URL (POST /v1/chain/get_info).")
    var apiURLs: [String] = []

    @Option(name: .customLong("lib-id"), help: "LIB block id typed by hand (64 hex digits); needs --lib-time or --lib-slot.")
    var libID: String?

    @Option(name: .customLong("lib-time"), help: "LIB block time, ISO-8601 UTC (YYYY-MM-DDTHH:MM:SS.mmm).")
    var libTime: String?

    @Option(name: .customLong("lib-slot"), help: "LIB block timestamp slot (half-seconds since 2000-01-01).")
    var libSlot: UInt32?

    @Option(name: .customLong("api-timeout"), help: "Seconds to wait for the node API.")
    var apiTimeout: Double = 5

    var isEmpty: Bool { blocksDirs.isEmpty && apiURLs.isEmpty && libID == nil && libTime == nil && libSlot == nil }

    /// A typed LIB is checked whole before anything runs (its id's digits and block number,
    /// its time on a slot boundary, a time or a slot but not both), with the engine's own
    /// messages (`LIBSources.typed`, also behind the interface's typed LIB).
    func validate() throws {
        guard apiTimeout > 0 else { throw ValidationError("--api-timeout must be a number of seconds above 0, found \(apiTimeout)") }
        if libID != nil || libTime != nil || libSlot != nil {
            try validation { () throws(EngineError) in _ = try LIBSources.typed(id: libID, time: libTime, slot: libSlot) }
        }
    }

    /// Every source given, in the order: blocks dirs, APIs, typed.
    var requests: [LIBRequest] {
        var out = blocksDirs.map { LIBRequest.blocksDir($0) }
        out += apiURLs.map { LIBRequest.api($0, timeoutSeconds: apiTimeout) }
        if libID != nil || libTime != nil || libSlot != nil {
            out.append(.typed(id: libID, time: libTime, slot: libSlot))
        }
        return out
    }

    /// Reads every source given, in the order: blocks dirs, APIs, typed. The engine's
    /// `LIBRequest.read()` is the one place a LIB request is read (the interface's runner
    /// reads the same type).
    func readings() throws(EngineError) -> [LIBReading] {
        var out = [LIBReading]()
        for r in requests { out.append(try r.read()) }
        return out
    }
}

/// The LIB options of a change (`reset`, `delete`): the sources, and the operator's
/// choice among them when they disagree.
struct PlanLIBOptions: ParsableArguments {
    @OptionGroup var sources: LIBOptions

    @Option(name: .customLong("lib-choice"), help: "When LIB sources disagree: the one to use (1 = first listed).")
    var libChoice: Int?

    @Option(name: .customLong("lib-reason"), help: "Why that LIB source (required when the sources disagree; kept in the audit record).")
    var libReason: String?

    func validate() throws {
        if let libChoice, libChoice < 1 { throw ValidationError("--lib-choice counts from 1 (the first source listed), found \(libChoice)") }
    }

    /// The operator's LIB choices as the change request carries them: the sources (the
    /// engine reads them), the choice (0-based) and the reason.
    func apply(to request: inout ChangeRequest) {
        request.lib = .sources(sources.requests)
        request.libChoice = libChoice.map { $0 - 1 }
        request.libReason = libReason
        request.apiURLs = sources.apiURLs
        request.apiTimeoutSeconds = sources.apiTimeout
    }
}

/// The LIB `list` and `show` measure an entry's flags against (lock-22, vote+12,
/// inactive): the same default sources as the interface and `report` (the data dir's
/// blocks.log; the node API given with --api), the first that answers.
enum DefaultLIB {
    static func reference(for location: Location, api: String?, timeout: Double) -> LIB? {
        LIBReport.gather(LIBRequest.defaults(for: location, api: api, timeoutSeconds: timeout)).readings.first?.lib
    }
}
