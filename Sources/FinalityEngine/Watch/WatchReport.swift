import FinalityFormat

/// The plain verdict on one key: what the operator asks ("did it work?").
public enum WatchVerdict: Hashable, Sendable {
    /// A vote newer than any the network had tracked when the watch started.
    case votingAgain(SeenVote, secondsAfter: Int64, after: String)
    /// No node API answered this refresh (for this many milliseconds).
    case noAnswer(milliseconds: Int64)
    /// The node's head trails the network by this many blocks: it cannot vote yet.
    case catchingUp(blocks: Int64)
    /// The active finalizer policy does not list the key: it has nothing to vote on.
    case notInPolicy(generation: UInt32?)
    /// The entry has a last vote and an empty lock: nodeos never votes with it.
    case noLock
    /// The lock is on a block the chain does not extend, and no QC newer than the lock
    /// exists yet (LIB is not past it): neither liveness nor safety holds.
    case lockOffChain(lock: BlockRef, chainID: Bytes32)
    /// The key's newest tracked vote is at the network's head: it was voting at the start.
    case voting(SeenVote)
    /// No vote since the start; `nodeos`: what nodeos will do with the entry as the file
    /// holds it now (`VoteRules.verdict`, the Entries screen's and `list`'s verdict).
    case waiting(last: SeenVote?, milliseconds: Int64, nodeos: String? = nil)
    /// The engine's verdict says the key will not vote on this chain as the file is now
    /// (a last vote in the future: no vote before it).
    case willNotVote(KeyVerdict)
    /// Every node API left the chain (another chain id, or LIB went backwards): nothing
    /// any of them reports counts (the first node's reason).
    case noTrustedNode(OffChain)

    /// Stable machine name for `--json`.
    public var kind: String {
        switch self {
        case .votingAgain: "voting-again"
        case .noAnswer: "no-answer"
        case .catchingUp: "catching-up"
        case .notInPolicy: "not-in-policy"
        case .noLock: "not-voting-no-lock"
        case .lockOffChain: "not-voting-lock-off-chain"
        case .voting: "voting"
        case .waiting: "waiting"
        case .willNotVote(let v): "not-voting-" + v.kind.rawValue
        case .noTrustedNode: "no-node-on-chain"
        }
    }

    /// True once the key's first vote after the start was seen (`--until-vote` ends).
    public var sawNewVote: Bool { if case .votingAgain = self { true } else { false } }

    public var text: String {
        switch self {
        case .votingAgain(let v, let seconds, let after):
            "voting again: \(WatchText.vote(v.vote)), \(WatchText.seconds(seconds * 1000)) after \(after)"
        case .noAnswer(let ms): "no answer from any node API" + (ms >= 1000 ? " for \(WatchText.seconds(ms))" : "")
        case .catchingUp(let blocks): "catching up (head \(grouped(blocks)) blocks behind the network)"
        case .notInPolicy(let g):
            "not voting: the key is not in the active finalizer policy" + (g.map { " (generation \($0))" } ?? "")
        case .noLock: "not voting: no vote: no lock (nodeos never votes with this entry until it is reset)"
        case .willNotVote(let v): "not voting: " + v.text
        case .lockOffChain: "not voting: lock on a block the chain does not extend"
        case .voting(let v): "voting: \(WatchText.vote(v.vote))"
        case .waiting(let last, let ms, let nodeos):
            "not voting yet: no vote in \(WatchText.seconds(ms)) of watching"
                + (last.map { " (last tracked \(WatchText.vote($0.vote)))" } ?? " (no node reports a vote for this key)")
                + (nodeos.map { "; the file says: \($0)" } ?? "")
        case .noTrustedNode(let why): "not counted: every node API left the chain (\(why.text.dropFirst("OFF CHAIN: ".count)))"
        }
    }
}

extension WatchState {
    /// The verdict for one watched key, from what is known now.
    public func verdict(_ k: Key) -> WatchVerdict {
        let start = startedAt ?? now
        if let (first, _) = k.firstNewVote {
            // The newest vote is shown (weak, then strong as the key catches up); `--until-vote`
            // ended at the first, which `firstNewVote` keeps.
            let v = k.newest ?? first
            let (from, what) = config.change.map { ($0.unixMilliseconds, "the \($0.action)") } ?? (start, "the watch started")
            return .votingAgain(v, secondsAfter: max(0, v.vote.timestamp.unixMilliseconds - from) / 1000, after: what)
        }
        if noTrustedNode, let why = nodes.first?.offChain { return .noTrustedNode(why) }
        if noAnswer { return .noAnswer(milliseconds: now - (nodes.compactMap(\.lastAnswer).max() ?? start)) }
        if isCatchingUp, let behind = headBehind { return .catchingUp(blocks: behind) }
        if let policy = nodes.first(where: { $0.lastAnswer == now && $0.trusted && $0.finalizers?.activePolicy != nil })?.finalizers?.activePolicy,
            !policy.finalizers.isEmpty, !policy.finalizers.contains(where: { $0.publicKey == k.key || $0.publicKeyText == k.key.text })
        {
            return .notInPolicy(generation: policy.generation)
        }
        // An empty lock, whether or not the key ever voted (finalizer.cpp lines 49–56).
        if let s = k.entry?.savanna, s.lock.isEmpty { return .noLock }
        if let s = k.entry?.savanna, let chainID = k.chainIDAtLock, let off = Self.lockOffChain(s.lock, chainID: chainID, lib: nodes.first(where: \.trusted)?.info?.lib) {
            return off
        }
        if let v = k.newest, let head = networkHead?.time,
            head.unixMilliseconds - v.vote.timestamp.unixMilliseconds <= config.catchUpBlocks * BlockTimestamp.millisecondsPerSlot
        {
            return .voting(v)
        }
        let nodeos = nodeosVerdict(k)
        if let v = nodeos, v.willNotVote { return .willNotVote(v) }
        return .waiting(last: k.newest, milliseconds: now - start, nodeos: nodeos?.text)
    }

    /// The engine's verdict on the key's entry as the file holds it now, against the LIB of
    /// the first node on the chain and the watch's clock (nil: no entry to judge).
    public func nodeosVerdict(_ k: Key) -> KeyVerdict? {
        guard let e = k.entry else { return nil }
        let lib = nodes.first(where: { $0.trusted && $0.info != nil })?.info?.lib
        let clock = networkHead?.time ?? BlockTimestamp(unixMilliseconds: now)
        return VoteRules.verdict(e, lib: lib, now: now > 0 ? clock : nil)
    }

    /// The stuck case of voting.md: a vote needs liveness (the block's QC is newer than
    /// the lock) or safety (the block extends the lock). The chain's block at the lock's
    /// height is another block, so no block of this chain extends the lock; and while LIB
    /// is not past the lock's time, no QC newer than the lock can be assumed
    /// (spring `libraries/chain/finalizer.cpp`, `decide_vote`). Kept to this one check until
    /// the engine's vote decision model can answer for the node's actual blocks.
    static func lockOffChain(_ lock: BlockRef, chainID: Bytes32, lib: LIB?) -> WatchVerdict? {
        guard !lock.isEmpty, chainID != lock.blockID, let lib, lib.timestamp <= lock.timestamp else { return nil }
        return .lockOffChain(lock: lock, chainID: chainID)
    }
}

/// Text shared by the command line and the interface.
public enum WatchText {
    /// `09:03:14.0`: UTC, tenths (block times fall on half seconds).
    public static func clock(_ unixMilliseconds: Int64) -> String {
        guard let t = BlockTimestamp(unixMilliseconds: unixMilliseconds - unixMilliseconds % 500) else { return "?" }
        let iso = Array(t.iso8601.utf8)  // YYYY-MM-DDTHH:MM:SS.mmmZ
        let tenth = (unixMilliseconds % 1000) / 100
        return String(decoding: iso[11..<19], as: UTF8.self) + ".\(tenth)"
    }

    public static func clock(_ t: BlockTimestamp) -> String { clock(t.unixMilliseconds) }

    /// `09:03:14.0`, with the date in front when it is not the day of `now` (an old vote).
    public static func clock(_ t: BlockTimestamp, now: Int64) -> String {
        let day: Int64 = 86_400_000
        guard t.unixMilliseconds / day != now / day else { return clock(t) }
        return String(t.iso8601.prefix(10)) + " " + clock(t)
    }

    /// `41 s` under two minutes, else `3m 12s`.
    public static func seconds(_ ms: Int64) -> String {
        abs(ms) < 120_000 ? "\(ms / 1000) s" : Durations.describe(milliseconds: ms)
    }

    /// `strong vote on #400,000,231 at 09:03:14.0` (the date too when it is not today).
    public static func vote(_ v: TrackedVote, now: Int64? = nil) -> String {
        let at = now.map { clock(v.timestamp, now: $0) } ?? clock(v.timestamp)
        return "\(v.isStrong ? "strong" : "weak") vote on #\(grouped(v.blockNumber)) at \(at)"
    }

    static func ref(_ r: BlockRef, now: Int64) -> String {
        r.isEmpty ? "none" : "#\(grouped(r.blockNumber)) at \(clock(r.timestamp, now: now))"
    }
}

extension WatchState {
    /// The view as lines of text (the CLI prints them; the Watch screen draws them).
    /// `keyText` shortens a key for narrow screens.
    public func lines(keyText: (BLSPublicKey) -> String = { $0.text }) -> [String] {
        var out = [String]()
        let start = startedAt ?? now
        out.append(
            "Watching \(config.file) for \(WatchText.seconds(now - start)), refresh every \(String(printf: "%g", config.interval)) s, \(WatchText.clock(now)) UTC")
        if let chain { out.append("Chain \(chain.id.hex) (\(chain.source))") }
        for n in nodes {
            out.append("Node \(n.url)")
            if let silent = n.silentFor(now: now, startedAt: startedAt) {
                out.append("  no answer" + (silent >= 1000 ? " for \(WatchText.seconds(silent))" : "") + (n.error.map { ": \($0)" } ?? ""))
            }
            guard let info = n.info else { continue }
            var head = "  head " + (info.headBlockNumber.map { "#\(grouped($0))" } ?? "?")
            if let t = info.headBlockTime { head += " at \(WatchText.clock(t))" }
            if let bps = n.blocksPerSecond { head += ", " + String(printf: "%.1f", bps) + " blocks/s" }
            if n.lastAnswer == now, let behind = headBehind, n.url == nodes.first?.url, behind > config.catchUpBlocks {
                head += ", \(grouped(behind)) blocks behind the network"
            }
            out.append(head)
            var lib = "  LIB  #\(grouped(info.lib.number)) at \(WatchText.clock(info.lib.timestamp))"
            if let h = info.headBlockNumber, h >= info.lib.number { lib += ", \(grouped(h - info.lib.number)) behind head" }
            switch n.libAdvances {
            case true?: lib += ", advancing"
            case false?: lib += ", not advancing for \(WatchText.seconds(now - (n.libSince ?? now)))"
            case nil: break
            }
            out.append(lib)
            if let e = n.finalizersError { out.append("  get_finalizer_info: \(e)") }
            if let off = n.offChain { out.append("  \(off.text)") }
        }
        switch file {
        case .read(_, let tries)?:
            if tries > 1 { out.append("File read cleanly after \(tries) tries (nodeos was rewriting it)") }
        case .unreadable(let why, let tries)?:
            let failingFor = now - (fileFailingSince ?? now)
            if failingFor == 0 && fileCleanAt != nil {
                out.append("File changing under the read (\(tries) tries): will read again")
            } else {
                out.append("File does not read cleanly (\(tries) tries, for \(WatchText.seconds(failingFor))): \(why)")
            }
        case .missing(let why)?:
            out.append("File cannot be read: \(why)")
        case nil:
            break
        }
        if keys.isEmpty { out.append("No key to watch (the file has no entries)") }
        for k in keys {
            out.append("Key \(keyText(k.key))")
            if let v = k.newest {
                var line = "  network  \(WatchText.vote(v.vote, now: now))"
                if let head = networkHead?.time {
                    line += ", \(WatchText.seconds(head.unixMilliseconds - v.vote.timestamp.unixMilliseconds)) behind head"
                }
                out.append(line)
            } else {
                out.append("  network  no vote tracked")
            }
            if let e = k.entry {
                if let s = e.savanna {
                    out.append("  file     last vote \(WatchText.ref(s.lastVote, now: now)), lock \(WatchText.ref(s.lock, now: now))")
                } else if let h = e.hotStuff {
                    out.append("  file     _vheight \(grouped(h.vheight.bheight))/\(h.vheight.pcounter), _b_lock \(h.bLock.hex.prefix(16))…")
                }
            } else if case .read? = file {
                out.append("  file     no entry for this key")
            }
            out.append("  verdict  \(verdict(k).text)")
        }
        return out
    }

    /// One JSON object per refresh (`--json`: JSON lines).
    public var json: JSON {
        let start = startedAt ?? now
        func t(_ ms: Int64) -> JSON { .object([("unix_ms", .int(ms)), ("utc", .string(BlockTimestamp(unixMilliseconds: ms - ms % 500).map { String($0.iso8601.prefix(19)) + "Z" } ?? "?"))]) }
        let nodeJSON: [JSON] = nodes.map { n in
            var m: [(String, JSON)] = [("url", .string(n.url)), ("answered", .bool(n.lastAnswer == now))]
            m.append(("no_answer_ms", n.silentFor(now: now, startedAt: startedAt).map { .int($0) } ?? .null))
            m.append(("error", n.error.map { .string($0) } ?? .null))
            if let info = n.info {
                m.append(("head_block_num", info.headBlockNumber.map { .uint(UInt64($0)) } ?? .null))
                m.append(("head_block_time", info.headBlockTime.map(JSONModel.time) ?? .null))
                m.append(("lib", JSONModel.lib(info.lib)))
                m.append((
                    "lib_behind_head",
                    info.headBlockNumber.map { $0 >= info.lib.number ? .uint(UInt64($0 - info.lib.number)) : .null } ?? .null))
            }
            m.append(("lib_advancing", n.libAdvances.map { .bool($0) } ?? .null))
            m.append(("blocks_per_second", n.blocksPerSecond.map { .string(String(printf: "%.1f", $0)) } ?? .null))
            m.append(("finalizer_info_error", n.finalizersError.map { .string($0) } ?? .null))
            m.append(("chain_id", n.info.map { .string($0.chainID.hex) } ?? .null))
            m.append(("off_chain", n.offChain.map { .object([("kind", .string($0.kind)), ("text", .string($0.text))]) } ?? .null))
            return .object(m)
        }
        var fileJSON: [(String, JSON)] = [("path", .string(config.file))]
        switch file {
        case .read(_, let tries)?: fileJSON += [("state", .string("read")), ("tries", .uint(UInt64(tries)))]
        case .unreadable(let why, let tries)?:
            fileJSON += [("state", .string("unreadable")), ("tries", .uint(UInt64(tries))), ("reason", .string(why))]
        case .missing(let why)?: fileJSON += [("state", .string("missing")), ("reason", .string(why))]
        case nil: fileJSON += [("state", .null)]
        }
        let keyJSON: [JSON] = keys.map { k in
            let verdict = verdict(k)
            var m: [(String, JSON)] = [("public_key", .string(k.key.text))]
            m.append(("network_last_vote", k.newest.map { seen in
                var v = JSONModel.trackedVote(seen.vote)
                if case .object(var members) = v {
                    members.append(("reported_by", .string(seen.url)))
                    v = .object(members)
                }
                return v
            } ?? .null))
            m.append(("new_vote", .bool(k.firstNewVote != nil)))
            m.append(("first_new_vote_seen_at", k.firstNewVote.map { t($0.seenAt) } ?? .null))
            if let s = k.entry?.savanna {
                m.append(("file_last_vote", JSONModel.blockRef(s.lastVote)))
                m.append(("file_lock", JSONModel.blockRef(s.lock)))
            } else {
                m.append(("file_last_vote", .null))
                m.append(("file_lock", .null))
            }
            m.append(("verdict", .object([("kind", .string(verdict.kind)), ("text", .string(verdict.text))])))
            return .object(m)
        }
        return .object([
            ("time", t(now)),
            ("watching_ms", .int(now - start)),
            ("refresh", .uint(UInt64(refreshes))),
            ("chain", chain.map { .object([("chain_id", .string($0.id.hex)), ("from", .string($0.source))]) } ?? .null),
            ("nodes", .array(nodeJSON)),
            ("file", .object(fileJSON)),
            ("keys", .array(keyJSON)),
        ])
    }
}
