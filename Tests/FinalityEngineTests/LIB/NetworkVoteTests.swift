import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// `list --api` and `show --api`: the network's last tracked vote of each key, beside the
/// file's entry for that key.
@Suite("The network's last vote beside each entry")
struct NetworkVoteTests {
    func entry(_ key: BLSPublicKey) -> SafetyEntry {
        SafetyEntry(key: key, state: .savanna(SavannaSafety(lastVote: .empty, lock: .empty)))
    }

    func member(_ json: JSON, _ name: String) -> JSON? {
        guard case .object(let members) = json else { return nil }
        return members.first { $0.0 == name }?.1
    }

    @Test("an entry's JSON carries the vote the node tracks for its key, and null for a key it does not track")
    func entryJSON() throws {
        let server = TestHTTPServer(["/v1/chain/get_finalizer_info": .respond(status: 200, body: SpringAnswers.finalizerInfo)])
        defer { server.stop() }
        let info = try LIBSources.finalizerInfo(server.baseURL, timeoutSeconds: 2)
        let tracked = JSONModel.entry(entry(SpringAnswers.keys[0]), index: 0, network: info)
        let vote = try #require(member(tracked, "network_last_vote"))
        #expect(member(vote, "voted_for_block_num") == .uint(UInt64(SpringAnswers.head.blockNumber)))
        #expect(member(vote, "is_vote_strong") == .bool(true))
        let untracked = JSONModel.entry(entry(BLSPublicKey(bytes: [UInt8](repeating: 9, count: 96))), index: 1, network: info)
        #expect(member(untracked, "network_last_vote") == .null)
        // Without --api the member is absent, not null: nothing was asked.
        #expect(member(JSONModel.entry(entry(SpringAnswers.keys[0]), index: 0), "network_last_vote") == nil)
    }

    @Test("a key the network saw voting past the file's last vote is flagged: the file is stale")
    func networkVoteNewer() throws {
        let server = TestHTTPServer(["/v1/chain/get_finalizer_info": .respond(status: 200, body: SpringAnswers.finalizerInfo)])
        defer { server.stop() }
        let info = try LIBSources.finalizerInfo(server.baseURL, timeoutSeconds: 2)
        let tracked = try #require(info.vote(for: SpringAnswers.keys[0]))
        func voted(_ n: UInt32) -> SafetyEntry {
            var id = [UInt8](repeating: 0x11, count: 32)
            (id[0], id[1], id[2], id[3]) = (UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff))
            let ref = BlockRef(blockID: Bytes32(id), timestamp: BlockTimestamp(slot: 100))
            return SafetyEntry(key: SpringAnswers.keys[0], state: .savanna(SavannaSafety(lastVote: ref, lock: ref)))
        }
        #expect(JSONModel.flags(voted(tracked.blockNumber - 1), duplicateOf: nil, network: info).contains("network-vote-newer"))
        #expect(!JSONModel.flags(voted(tracked.blockNumber), duplicateOf: nil, network: info).contains("network-vote-newer"))
        #expect(!JSONModel.flags(voted(tracked.blockNumber - 1), duplicateOf: nil).contains("network-vote-newer"))
    }
}
