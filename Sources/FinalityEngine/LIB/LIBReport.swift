import FinalityFormat

/// One LIB source the operator asked for, as given on the command line.
public enum LIBRequest: Hashable, Sendable {
    case blocksDir(String)
    case api(String, timeoutSeconds: Double)
    case typed(id: String?, time: String?, slot: UInt32?)

    /// The request as typed (`--blocks-dir DIR`), for error lines.
    public var option: String {
        switch self {
        case .blocksDir(let d): "--blocks-dir \(d)"
        case .api(let u, _): "--api \(u)"
        case .typed(let id, let time, let slot):
            (["--lib-id \(id ?? "?")"] + (time.map { ["--lib-time \($0)"] } ?? []) + (slot.map { ["--lib-slot \($0)"] } ?? []))
                .joined(separator: " ")
        }
    }

    public func read() throws(EngineError) -> LIBReading {
        switch self {
        case .blocksDir(let d): try LIBSources.fromBlocksDir(d)
        case .api(let u, let t): try LIBSources.fromAPI(u, timeoutSeconds: t)
        case .typed(let id, let time, let slot): try LIBSources.typed(id: id, time: time, slot: slot)
        }
    }
}

/// A source that gave no reading.
public struct LIBSourceFailure: Equatable, Sendable {
    public var request: LIBRequest
    public var error: EngineError
}

/// Every source read, side by side, with the comparison: what `finality lib` prints and
/// the LIB screen shows.
public struct LIBReport: Sendable {
    public var readings: [LIBReading]
    public var failures: [LIBSourceFailure]
    public var comparison: LIBComparison

    public init(readings: [LIBReading], failures: [LIBSourceFailure] = []) {
        self.readings = readings
        self.failures = failures
        comparison = LIBComparison(readings)
    }

    /// Reads every source; one failing does not hide the others.
    public static func gather(_ requests: [LIBRequest]) -> LIBReport {
        var readings = [LIBReading]()
        var failures = [LIBSourceFailure]()
        for r in requests {
            do { readings.append(try r.read()) } catch { failures.append(LIBSourceFailure(request: r, error: error)) }
        }
        return LIBReport(readings: readings, failures: failures)
    }

    /// A source that failed decides (its own status: 2 bad input, 3 I/O); else 1 when the
    /// sources disagree (the tool refuses to pick), else 0.
    public var status: ExitStatus {
        if let f = failures.first { return f.error.status }
        if readings.isEmpty { return .usage }
        return comparison.verdict == .disagree ? .invalidOrRefused : .success
    }

    public var text: [String] {
        var out = [String]()
        let total = readings.count + failures.count
        out.append("LIB sources: \(total) given, \(readings.count) read")
        for (i, r) in readings.enumerated() {
            out.append("")
            out.append("[\(i + 1)] \(r.source)")
            out.append("    block     \(r.lib.number)")
            out.append("    id        \(r.lib.blockID.hex)")
            out.append("    time      \(r.lib.timestamp.iso8601) (slot \(r.lib.timestamp.slot))")
            out.append("    chain id  \(r.chainID?.hex ?? "(not given by this source)")")
            for d in r.details { out.append("    - \(d)") }
            for w in r.warnings { out.append("    ! warning: \(w)") }
        }
        for f in failures {
            out.append("")
            out.append("[-] \(f.request.option): not read: \(f.error)")
        }
        if !readings.isEmpty {
            out.append("")
            switch comparison.verdict {
            case .single: out.append("Comparison: one source read, nothing to compare.")
            case .agree: out.append("Comparison: AGREE. " + comparison.summary.joined(separator: " "))
            case .disagree:
                out.append("Comparison: DISAGREE (never merged; choose one and say why):")
                for s in comparison.summary { out.append("  - \(s)") }
            }
        }
        return out
    }

    public var json: JSON {
        .object([
            ("verdict", .string(readings.isEmpty ? "none" : comparison.verdict.rawValue)),
            ("exit_status", .uint(UInt64(status.rawValue))),
            ("sources", .array(readings.map(JSONModel.libReading))),
            ("errors", .array(failures.map { f in
                .object([
                    ("request", .string(f.request.option)),
                    ("exit_status", .uint(UInt64(f.error.status.rawValue))),
                    ("message", .string(f.error.description)),
                ])
            })),
            ("comparison", JSONModel.libComparison(comparison)),
        ])
    }
}
