import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Block n on a test chain: id = n big-endian then `fill`, time = slot 2n.
private func ref(_ n: UInt32, fill: UInt8 = 0xAB) -> BlockRef {
    BlockRef(blockID: Fixture.id(n, fill: fill), timestamp: BlockTimestamp(slot: n * 2))
}

private func entry(_ k: UInt64 = 1, vote: BlockRef = .empty, lock: BlockRef = .empty) -> SafetyEntry {
    SafetyEntry(key: Fixture.key(k), state: .savanna(SavannaSafety(lastVote: vote, lock: lock)))
}

private let lib = LIB(blockID: Fixture.id(1000), timestamp: BlockTimestamp(slot: 2000))

private func keys(_ configured: [UInt64]) -> NodeKeys {
    NodeKeys(
        keys: configured.map { ConfiguredKey(text: Fixture.key($0).text, key: Fixture.key($0), origin: "test", problem: nil) },
        looked: ["test"], source: "test")
}

@Suite("Key verdict: what nodeos does with each entry today (issue 21)")
struct KeyVerdictTests {
    @Test("each verdict of the issue, from the same vote model as the review")
    func everyVerdict() {
        // A lock older than LIB: every new QC is newer (liveness): votes.
        let votes = VoteRules.verdict(entry(vote: ref(980), lock: ref(978)), lib: lib)
        #expect(votes.kind == .votes && votes.short == "votes")
        #expect(votes.detail?.hasPrefix("votes on the first block after") == true, "\(votes.detail ?? "")")
        // No lock, never voted (the demo's entry 5): no vote.
        let noLock = VoteRules.verdict(entry(), lib: lib)
        #expect(noLock.kind == .noLock && noLock.text == "no vote: no lock" && noLock.willNotVote)
        // No lock needs no LIB to be certain.
        #expect(VoteRules.verdict(entry(vote: ref(990)), lib: nil).kind == .noLock)
        // A lock at LIB's height that is another block, with a time at or after LIB's: off
        // the chain; no QC newer than it is known.
        let off = VoteRules.verdict(entry(vote: ref(1000, fill: 0xCD), lock: ref(1000, fill: 0xCD)), lib: lib)
        #expect(off.kind == .lockOffChain && off.willNotVote, "\(off)")
        #expect(off.text.hasPrefix("no vote: lock off the chain until a QC after "), "\(off.text)")
        // A last vote later than now: no vote before it.
        let now = BlockTimestamp(slot: 2100)
        let future = VoteRules.verdict(entry(vote: ref(1200), lock: ref(978)), lib: lib, now: now)
        #expect(future.kind == .lastVoteInFuture && future.willNotVote)
        #expect(future.text.hasPrefix("no vote before ") && future.text.hasSuffix("(its last vote is in the future)"), "\(future.text)")
        #expect(future.short.count <= KeyVerdict.shortWidth && future.short.hasPrefix("no vote <"), "\(future.short)")
        // The same from the reader's own finding when no clock is given.
        let finding = Finding(.warning, .futureTimestamp, offset: 0, entry: 0, field: "last_vote.timestamp", expected: "", found: "")
        #expect(VoteRules.verdict(entry(vote: ref(1200), lock: ref(978)), lib: lib, findings: [finding]).kind == .lastVoteInFuture)
        // Not configured: inactive, whatever the entry.
        let inactive = VoteRules.verdict(entry(2), lib: lib, keys: keys([1]))
        #expect(inactive.kind == .inactive && inactive.text == "inactive: not configured" && !inactive.willNotVote)
        // A refused file: no key votes.
        let refused = VoteRules.verdict(entry(vote: ref(980), lock: ref(978)), nodeosLoads: false, lib: lib)
        #expect(refused.kind == .fileRefused && refused.text == "nodeos refuses the file")
        // A lock newer than LIB that the chain may extend: the usual state of a voting key.
        #expect(VoteRules.verdict(entry(vote: ref(1012), lock: ref(1010)), lib: lib).kind == .votesIfChainExtendsLock)
        // Without LIB a lock cannot be judged.
        #expect(VoteRules.verdict(entry(vote: ref(980), lock: ref(978)), lib: nil).kind == .unknown)
    }

    @Test("the verdict agrees with the review's 'today' sentence (one vote model)")
    func sameModelAsReview() {
        for e in [entry(vote: ref(980), lock: ref(978)), entry(), entry(vote: ref(1000, fill: 0xCD), lock: ref(1000, fill: 0xCD))] {
            let review = VoteRules.beforeAfter(before: e.savanna, after: e.savanna, chain: ChainView(lib: lib))[0]
            let v = VoteRules.verdict(e, lib: lib)
            #expect(review == "today: " + (v.detail ?? "?"), "\(review) / \(v)")
            // "no vote on any block" in the review is a verdict that will not vote, and back.
            #expect(review.contains("no vote on any block (") == v.willNotVote || v.kind == .lockOffChain, "\(review)")
        }
    }

    @Test("every short verdict fits the column; every verdict has a legend line")
    func legendCoversEveryVerdict() {
        for kind in KeyVerdict.Kind.allCases {
            let line = KeyVerdict.legendLine(kind)
            #expect(line != nil, "no legend line for \(kind)")
            #expect((line?.short.count ?? 99) <= KeyVerdict.shortWidth)
        }
        let legend = FlagLegend.legendText.joined(separator: "\n")
        for v in KeyVerdict.legend { #expect(legend.contains(v.short + ": "), "\(v.short)") }
    }

    @Test("every flag the assessment can set has a legend line, from the same table")
    func legendCoversEveryFlag() {
        let codes = Set(FlagLegend.lines.map(\.code))
        for c in FlagKind.allCases { #expect(codes.contains(c.rawValue)) }
        for c in Finding.Check.allCases { #expect(codes.contains(c.rawValue), "\(c)") }
        // Entries that make the assessment set each flag it can.
        let network = NetworkVoteEvidence(blockNumber: 5000, timestamp: BlockTimestamp(slot: 10_000), isStrong: true, source: "node API")
        let old = entry(vote: BlockRef(blockID: Fixture.id(10), timestamp: BlockTimestamp(slot: 20)), lock: ref(9))
        let cases: [(SafetyEntry, NetworkVoteEvidence?, Int?, NodeKeys?)] = [
            (entry(), network, nil, nil), (entry(vote: ref(980), lock: ref(978)), network, 3, keys([2])),
            (entry(vote: ref(1012), lock: ref(1015)), nil, nil, nil), (old, nil, nil, nil), (entry(vote: ref(1020), lock: ref(990)), nil, nil, nil),
        ]
        var seen = Set<String>()
        for (e, n, d, k) in cases {
            for f in EntryAssessment.flags(e, lib: lib, network: n, duplicateOf: d, keys: k) {
                seen.insert(f.code)
                #expect(codes.contains(f.code), "flag \(f.code) (\(f.short)) has no legend line")
            }
        }
        #expect(seen.isSuperset(of: ["network-vote-newer", "no-lock", "never-voted", "duplicate", "inactive", "lock-behind-lib", "last-vote-newer-than-lib", "maybe-inactive", "last-vote-older-than-lock"]), "\(seen)")
    }

    @Test("a distance from an empty last vote is not shown (net+402.6M for a key that never voted)")
    func noDistanceFromEmpty() {
        let network = NetworkVoteEvidence(blockNumber: 402_600_000, timestamp: BlockTimestamp(slot: 10_000), isStrong: true, source: "node API")
        let flags = EntryAssessment.flags(entry(), lib: lib, network: network)
        let net = flags.first { $0.code == "network-vote-newer" }
        #expect(net?.short == "net-vote", "\(flags.map(\.short))")
        #expect(!flags.contains { $0.short.hasPrefix("net+") })
        // From a last vote the file has, the distance stays.
        let some = EntryAssessment.flags(entry(vote: ref(980), lock: ref(978)), lib: lib, network: network)
        #expect(some.contains { $0.short.hasPrefix("net+") })
    }
}
