import FinalityEngine
import FinalityFormat

/// The plain-text case report for a support ticket: what the screens show, in one file.
/// No clock in it: the file's sha256 identifies what was seen.
public enum Report {
    public static func text(_ state: AppState) -> String {
        var out = [String]()
        out.append("finality case report")
        out.append("File: \(state.location.file)")
        if let d = state.location.dataDir { out.append("Data dir: \(d)") }
        guard let file = state.file else {
            out.append("The file could not be read: \(state.loadError ?? "unknown error")")
            return out.joined(separator: "\n") + "\n"
        }
        out.append("Size: \(file.byteCount) bytes, sha256 \(file.sha256.hex)")
        let v = file.verification
        if let f = v.file { out.append("Format: \(f.format) (\(f.format.name)), \(f.entries.count) entries") }
        out.append("Verdict: \(v.verdictLine)")
        for e in v.errors { out.append("  error [\(e.check.rawValue)] \(e.description)") }
        for w in v.warnings { out.append("  warning [\(w.check.rawValue)] \(w.description)") }
        out.append("Writable: \(file.writable ? "yes" : "no")" + (file.nodeRunning.map { "; a node is running: \($0)" } ?? ""))
        out.append("")
        out.append("LIB sources:")
        if state.lib.answers.isEmpty { out.append("  (none asked)") }
        for a in state.lib.answers {
            switch a.result {
            case .success(let r):
                out.append("  \(a.request.label): block \(r.lib.number) id \(r.lib.blockID.hex) at \(r.lib.timestamp.iso8601) (slot \(r.lib.timestamp.slot)) from \(a.request.origin)")
            case .failure(let e):
                out.append("  \(a.request.label): error: \(e.description) (\(a.request.origin))")
            }
        }
        if state.lib.disagreement { out.append("  THE SOURCES DISAGREE") }
        out.append("")
        out.append("Entries:")
        let lib = state.lib.reference?.lib
        for (i, e) in file.entries.enumerated() {
            out.append("  #\(i) \(e.key.text)")
            switch e.state {
            case .savanna(let s):
                out.append("     last_vote: \(Format.blockRef(s.lastVote)) id \(s.lastVote.blockID.hex) digest \(s.lastVote.finalityDigest.hex)")
                out.append("     lock:      \(Format.blockRef(s.lock)) id \(s.lock.blockID.hex) digest \(s.lock.finalityDigest.hex)")
                if let forked = s.votesForkedSinceLatestStrongVote {
                    out.append("     votes_forked_since_latest_strong_vote: \(forked)")
                } else {
                    out.append("     other_branch_latest_time: \(Format.slotTime(s.otherBranchLatestTime))")
                }
            case .hotStuff(let h):
                out.append("     _vheight: bheight \(h.vheight.bheight), pcounter \(h.vheight.pcounter)")
                out.append("     _b_lock:  \(h.bLock.hex)")
            }
            for f in EntryFacts.flags(e, index: i, lib: lib, findings: v.errors + v.warnings) {
                out.append("     flag: \(f.long)")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
