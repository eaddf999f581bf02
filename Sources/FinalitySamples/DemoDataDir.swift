import BLS12381
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import SystemPackage

/// `finality demo`: a realistic node folder in a new temp folder, made entirely by the
/// project's own writers, for trying the tool (and for tests) without a node. Laid out as
/// a node's home is (`data/` and `config/` side by side), so the node's keys are found
/// the way they are on a server (format.md, "How a running nodeos finds its directories":
/// `config/` beside the data dir):
///
/// - `data/blocks/blocks.log` (+ `blocks.index`): 240 irreversible blocks ending at LIB
///   400,000,200, as a version 3 log starting after block 1 (chain id in the preamble);
/// - `data/state/shared_memory.bin`: present and unlocked (no node running);
/// - `data/finalizers/safety.dat`: Savanna v1, six entries (keys 11·G1 … 16·G1): three
///   active finalizers voting just past LIB, one whose lock is behind LIB, one inactive
///   entry from long ago (its key is not configured), and one with an all-zero lock that
///   cannot vote;
/// - `config/config.ini`: `signature-provider` lines for keys 11–14, 16 and 17 (17 has no
///   entry yet: nodeos creates it at start-up), each with a made-up private part that the
///   tool never shows, and a block-signing key line that is not a finalizer key.
public enum DemoDataDir {
    public static let libNumber: UInt32 = 400_000_200
    static let firstBlock: UInt32 = libNumber - 239

    /// Builds it under `parent` (default: the temp dir) in a new folder whose name no one
    /// can predict (mkdtemp), and returns where the safety file is.
    public static func build(parent: String = FileManager.default.temporaryDirectory.path) throws(EngineError) -> Location {
        let home: String
        do { home = try Sys.makeTemporaryDirectory((parent.hasSuffix("/") ? parent : parent + "/") + "finality-demo-") } catch {
            throw .io(path: parent, operation: "create a demo folder in", reason: "\(error)")
        }
        let root = home + "/data"
        for sub in ["data", "data/blocks", "data/state", "data/finalizers", "config"] {
            do { try Sys.mkdir(home + "/" + sub, 0o755) } catch {
                throw .io(path: home + "/" + sub, operation: "create", reason: "\(error)")
            }
        }
        let blocks = SignedBlock.chain(
            BlockChainSpec(
                firstBlockNumber: firstBlock, count: Int(libNumber - firstBlock + 1),
                firstTimestamp: BlockTimestamp(iso8601: "2026-11-21T09:00:00.000")!, seed: "finality demo"))
        try BlocksLogWriter().write(blocks, toDirectory: root + "/blocks")
        try SampleFile.write(root + "/state/shared_memory.bin", [UInt8](repeating: 0, count: 4096), replacing: false, mode: 0o666)

        /// Block n: the real id and time from the log when it is irreversible, otherwise an
        /// id carrying n (blocks past LIB are not in the log yet) one slot per block later.
        func ref(_ n: UInt32) -> BlockRef {
            if n >= firstBlock && n <= libNumber {
                let h = blocks[Int(n - firstBlock)]
                return BlockRef(blockID: h.id, timestamp: h.header.timestamp, finalityDigest: digest(n))
            }
            var id = withUnsafeBytes(of: n.bigEndian) { Array($0) }
            id += (4..<32).map { UInt8(truncatingIfNeeded: Int(n) &* 31 &+ $0) }
            let libTime = blocks.last!.header.timestamp.slot
            let slot = n > libNumber ? libTime + (n - libNumber) : libTime - min(libTime, libNumber - n)
            return BlockRef(blockID: Bytes32(id), timestamp: BlockTimestamp(slot: slot), finalityDigest: digest(n))
        }
        func digest(_ n: UInt32) -> Bytes32 { Bytes32((0..<32).map { UInt8(truncatingIfNeeded: Int(n % 251) &* 17 &+ $0) }) }
        func entry(_ k: UInt64, vote: UInt32?, lock: UInt32?, other: UInt32? = nil) -> SafetyEntry {
            SafetyEntry(
                key: SampleKeys.key(k),
                state: .savanna(
                    SavannaSafety(
                        lastVote: vote.map(ref) ?? .empty, lock: lock.map(ref) ?? .empty,
                        otherBranchLatestTime: other.map { ref($0).timestamp } ?? .zero)))
        }
        // nodeos writes inactive entries first, then configured ones, each sorted by key.
        let entries = [
            entry(15, vote: 399_000_000, lock: 398_999_998),
            entry(11, vote: 400_000_212, lock: 400_000_210),
            entry(12, vote: 400_000_212, lock: 400_000_210, other: 400_000_205),
            entry(13, vote: 400_000_211, lock: 400_000_209),
            entry(14, vote: 400_000_180, lock: 400_000_178),
            entry(16, vote: nil, lock: nil),
        ]
        try SampleFile.write(root + "/finalizers/safety.dat", SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: entries)), replacing: false, mode: 0o666)
        try SampleFile.write(home + "/config/config.ini", Array(configINI.utf8), replacing: false, mode: 0o666)
        return Location(file: root + "/finalizers/safety.dat", dataDir: root)
    }

    /// The demo node's keys: k·G1 for the configured finalizers (not 15, whose entry is
    /// inactive), with a private part that is made up and never shown.
    public static let configuredKeys: [UInt64] = [11, 12, 13, 14, 16, 17]

    static var configINI: String {
        var lines = [
            "# finality demo: a node's config.ini (only what finality reads from it)",
            "plugin = eosio::chain_api_plugin",
            "http-server-address = 127.0.0.1:8888",
            "# the block-signing key: not a finalizer key, ignored",
            "signature-provider = EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV=KEY:5KQwrPbwdL6PhXujxW37FSSQZ1JiwsST4cqQzDeyXtP79zkvFD3",
        ]
        for k in configuredKeys {
            let key = SampleKeys.key(k).text
            lines.append("signature-provider = \(key)=KEY:PVT_BLS_demo-private-part-\(k)-never-shown")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
