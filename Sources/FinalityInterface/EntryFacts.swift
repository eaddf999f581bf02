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

    /// What nodeos will do with the entry today: the engine's one verdict
    /// (`VoteRules.verdict`), the Entries screen's first column and the detail pane's first line.
    public static func verdict(_ entry: SafetyEntry, index: Int, state: AppState) -> KeyVerdict {
        VoteRules.verdict(
            entry, nodeosLoads: state.file?.verification.nodeosLoads ?? true, lib: state.lib.reference?.lib, keys: state.nodeKeys,
            findings: state.file?.findingsByEntry[index] ?? [])
    }

    /// Entries the banner counts without slowing every redraw: above this many, it does not count.
    public static let countedUpTo = 50_000

    /// The entries that will not vote (nil: too many entries to count on every redraw).
    public static func notVoting(_ state: AppState) -> [Int]? {
        guard let file = state.file, file.entries.count <= countedUpTo else { return nil }
        return file.entries.indices.filter { verdict(file.entries[$0], index: $0, state: state).willNotVote }
    }
}

extension KeyVerdict {
    /// How a verdict looks: a key that will not vote in danger's style, an inactive one dim.
    public var style: Style {
        switch kind {
        case .votes, .votesIfChainExtendsLock, .unknown: .normal
        case .noLock, .lockOffChain, .lastVoteInFuture, .fileRefused: .danger
        case .inactive: .dim
        }
    }
}
