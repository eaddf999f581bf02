import FinalityEngine
import FinalityFormat

extension EntryFlag {
    /// How a flag looks: the most dangerous in danger's style, plain facts dim.
    public var style: Style {
        switch severity {
        case .danger: .danger
        case .warning: .warning
        case .info: .normal
        case .quiet: .dim
        }
    }
}

/// The Entries screen's view of the engine's one assessment (`EntryAssessment`), the same
/// flags `list`, `show`, `--json` and the report give.
public enum EntryFacts {
    public static func flags(
        _ entry: SafetyEntry, index: Int, lib: LIB?, findings: [Finding], tracked: (vote: TrackedVoteRow, source: String)? = nil,
        duplicateOf: Int? = nil, keys: NodeKeys? = nil
    ) -> [EntryFlag] {
        let network = tracked.map {
            NetworkVoteEvidence(blockNumber: $0.vote.blockNumber, timestamp: $0.vote.timestamp, isStrong: $0.vote.isStrong, source: $0.source)
        }
        return EntryAssessment.flags(entry, lib: lib, findings: findings.filter { $0.entry == index }, network: network, duplicateOf: duplicateOf, keys: keys)
    }
}
