import FinalityFormat

/// How an import sets one key's entry: absent, the document's entry as it is; present,
/// field by field, the later of the file's value and the document's, so that nothing moves
/// back (EIP-3076's rule for a "minimal" database: protection only rises on import).
///
/// Raising any of the three fields costs liveness, never safety (spring
/// `libraries/chain/finalizer.cpp`, `finalizer::decide_vote`): a vote needs a block
/// timestamp after `last_vote`'s (the monotony check); a block must extend the lock or
/// carry a QC newer than it (safety and liveness checks); a later
/// `other_branch_latest_time` can only make a strong vote weak.
public enum InterchangeMerge {
    /// Where a merged field's value came from.
    public enum Source: String, Hashable, Sendable {
        case file = "the file"
        case document = "the document"
        /// Both hold the same value.
        case both = "both"
    }

    public struct Merged: Hashable, Sendable {
        public var safety: SavannaSafety
        public var lastVote: Source
        public var lock: Source
        public var otherBranchLatestTime: Source
        /// Nothing in the entry changes.
        public var isUnchanged: Bool { [lastVote, lock, otherBranchLatestTime].allSatisfy { $0 != .document } }
    }

    /// Two block references at one time that are not the same block: two votes (or two locks)
    /// at one time are evidence to look at, not values to merge.
    public struct Conflict: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var file: BlockRef
        public var document: BlockRef
        public var description: String {
            "\(field): the file and the document name different blocks at the same time \(file.timestamp.iso8601) "
                + "(#\(file.blockNumber) \(file.blockID.hex.prefix(16))… and #\(document.blockNumber) \(document.blockID.hex.prefix(16))…): "
                + "refused; find out which node voted on which block before importing"
        }
    }

    /// The entry an import writes for a key: the document's when the file has none.
    public static func merge(file: SavannaSafety?, document: SavannaSafety) throws(Conflict) -> Merged {
        let doc = InterchangeDocument.converted(document)
        guard let file else {
            return Merged(safety: doc, lastVote: .document, lock: .document, otherBranchLatestTime: .document)
        }
        let current = InterchangeDocument.converted(file)
        let (vote, voteSource) = try later(current.lastVote, doc.lastVote, "last_vote")
        let (lock, lockSource) = try later(current.lock, doc.lock, "lock")
        let other: BlockTimestamp
        let otherSource: Source
        if current.otherBranchLatestTime == doc.otherBranchLatestTime {
            (other, otherSource) = (current.otherBranchLatestTime, .both)
        } else if doc.otherBranchLatestTime > current.otherBranchLatestTime {
            (other, otherSource) = (doc.otherBranchLatestTime, .document)
        } else {
            (other, otherSource) = (current.otherBranchLatestTime, .file)
        }
        return Merged(
            safety: SavannaSafety(lastVote: vote, lock: lock, otherBranchLatestTime: other, votesForkedSinceLatestStrongVote: nil),
            lastVote: voteSource, lock: lockSource, otherBranchLatestTime: otherSource)
    }

    /// The later of two block references by timestamp (an empty one is older than any);
    /// the same block is `.both`; different blocks at one time are a conflict.
    static func later(_ file: BlockRef, _ document: BlockRef, _ field: String) throws(Conflict) -> (BlockRef, Source) {
        if file == document { return (file, .both) }
        if document.isEmpty { return (file, .file) }
        if file.isEmpty { return (document, .document) }
        if document.timestamp > file.timestamp { return (document, .document) }
        if document.timestamp < file.timestamp { return (file, .file) }
        if document.blockID == file.blockID {
            // One block, two finality digests: nodeos stores the digest and never reads it
            // in its voting rules; keep the file's (nothing moves).
            return (file, .file)
        }
        throw Conflict(field: field, file: file, document: document)
    }
}
