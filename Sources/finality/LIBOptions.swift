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

    /// The LIB of the plan, or nil when no source was given.
    func decision() throws(EngineError) -> LIBDecision? {
        let readings = try sources.readings()
        return readings.isEmpty ? nil : try LIBDecision.forPlan(readings, choice: libChoice.map { $0 - 1 }, reason: libReason)
    }

    /// The LIB of the plan; no source is a usage error (a reset needs one).
    func requiredDecision() throws(EngineError) -> LIBDecision {
        try LIBDecision.forPlan(try sources.readings(), choice: libChoice.map { $0 - 1 }, reason: libReason)
    }
}
