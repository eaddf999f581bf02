import FoundationEssentials
import FinalityFormat

/// The one typed confirmation rule, for every front end and every kind of change:
/// - a change of one key's entry (reset, delete): the 8 characters after `PUB_BLS_` of
///   that key, exactly (key text is case-sensitive base64url);
/// - a change of the whole file (restore, and repair): the first 12 hex digits of the
///   SHA-256 of the file as it will be written (for a restore: the backup's hash).
/// Never a bare "y": the operator reads what is being changed and types part of it,
/// which support staff can read out over the phone.
public struct Confirmation: Hashable, Sendable {
    public var expected: String
    /// What to type, as the prompt says it.
    public var hint: String
    /// The risk the plan takes, said right above the prompt (nil: none beyond a reset's).
    /// When set, the words to type name it: "double vote 04nAwfOW", not only the key.
    public var risk: String?

    public init(expected: String, hint: String, risk: String? = nil) {
        self.expected = expected
        self.hint = hint
        self.risk = risk
    }

    /// The one decision of what to type for a plan, for every door (the wizard's step 4,
    /// the command line's prompt). A plan that makes a double vote possible asks for the
    /// words "double vote" before the usual characters.
    public init(for plan: Plan) {
        if let key = plan.key {
            self = .forKey(key)
        } else {
            self = .forWholeFile(afterSHA256: plan.afterSHA256, isRestore: plan.action == .restore)
        }
        if let risk = Self.doubleVoteRisk(plan) {
            self = .namingRisk(self, risk: risk)
        }
    }

    /// The words a risky plan's confirmation starts with.
    public static let doubleVoteWords = "double vote"

    /// A confirmation that names the risk: "double vote " + what would be typed anyway.
    public static func namingRisk(_ base: Confirmation, risk: String) -> Confirmation {
        Confirmation(
            expected: "\(doubleVoteWords) \(base.expected)",
            hint: "this plan makes a double vote possible: type \"\(doubleVoteWords) \(base.expected)\" (after the words: \(base.hint.hasPrefix("type ") ? String(base.hint.dropFirst(5)) : base.hint))",
            risk: risk)
    }

    /// Whether the plan makes a double vote possible, and why: a last vote written below
    /// usable evidence of a newer vote of the key (`--vote-floor lib`), or evidence of a
    /// newer vote discarded by the operator (`--discard-future-vote`). nodeos refuses only
    /// blocks at or before the written last vote (spring `libraries/chain/finalizer.cpp`,
    /// `decide_vote`, line 11, monotony): the key may sign again at times it already signed.
    public static func doubleVoteRisk(_ plan: Plan) -> String? {
        var why = [String]()
        for f in plan.voteFloors {
            let name = f.key.shortText(20)
            if f.mode == .lib, let newest = f.ignoredNewer.max(by: { $0.vote.timestamp < $1.vote.timestamp }) {
                why.append(
                    "--vote-floor lib writes LIB as \(name)'s last vote below its evidence of a vote on block \(grouped(newest.vote.blockNumber)) (\(newest.source.description))")
            }
            for d in f.discarded {
                why.append("the evidence of \(name)'s vote on block \(grouped(d.piece.vote.blockNumber)) is discarded (\(d.reason))")
            }
        }
        guard !why.isEmpty else { return nil }
        return "DOUBLE VOTE POSSIBLE: " + why.joined(separator: "; ") + ": nodeos will let the key sign again at times it already signed"
    }

    /// A change of one key's entry.
    public static func forKey(_ key: BLSPublicKey) -> Confirmation {
        Confirmation(expected: String(key.text.dropFirst(KeyText.prefix.count).prefix(8)), hint: "type the 8 characters after PUB_BLS_ of the key")
    }

    /// A change of the whole file.
    public static func forWholeFile(afterSHA256: Bytes32, isRestore: Bool) -> Confirmation {
        Confirmation(
            expected: String(afterSHA256.hex.prefix(12)),
            hint: isRestore ? "type the first 12 hex digits of the backup's SHA-256" : "type the first 12 hex digits of the new file's SHA-256")
    }

    /// Surrounding spaces are forgiven (a paste); anything else must match exactly.
    public func accepts(_ typed: String) -> Bool {
        !expected.isEmpty && Self.trimmed(typed) == expected
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.reversed())
    }
}
