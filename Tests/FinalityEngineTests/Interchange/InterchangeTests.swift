import FinalityEngine
import FinalityFormat
import Foundation
import Testing
import FinalityTestSupport

/// The safety interchange document (Docs/interchange.md): read strictly, written to its
/// schema, merged so that nothing moves back. Issue 24's engine part; export and import as
/// commands do not exist yet.
@Suite("Interchange document: strict reading, export, merge")
struct InterchangeTests {
    static let exported = InterchangeDocument.Exported(
        time: "2026-12-07T01:40:12Z", host: "node-a", path: "/srv/node-a/data/finalizers/safety.dat",
        sha256: Bytes32([UInt8](repeating: 0x5A, count: 32)), fileFormat: "savanna-v1", tool: "finality test", whileRunning: false)
    static let chain = Bytes32([UInt8](repeating: 0xC4, count: 32))

    static func document(_ file: SafetyFile = Fixture.savannaFile()) throws -> InterchangeDocument {
        try InterchangeDocument.export(file, chainID: chain, chainIDSource: "operator (--chain-id)", exported: exported)
    }

    /// The exported document's text with `old` replaced by `new` (once, and it must be there).
    static func edited(_ old: String, _ new: String) throws -> [UInt8] {
        let text = String(decoding: try document().bytes, as: UTF8.self)
        #expect(text.contains(old), "the document holds \(old)")
        guard let r = text.range(of: old) else { return [] }
        return Array(text.replacingCharacters(in: r, with: new).utf8)
    }

    // MARK: strict JSON

    @Test("StrictJSON refuses what a lenient reader would guess at, naming the byte", arguments: [
        (#"{"a":1,"a":2}"#, 7, "given twice"),
        (#"{"a":1.5}"#, 5, "fraction or an exponent"),
        (#"{"a":1e3}"#, 5, "fraction or an exponent"),
        (#"{"a":01}"#, 5, "leading zero"),
        (#"{"a":18446744073709551616}"#, 5, "beyond 64 bits"),
        ("{\"a\":\"x\ny\"}", 7, "control character"),
        (#"{"a":"\ud800"}"#, 6, "lone surrogate"),
        (#"{"a":"\q"}"#, 6, "unknown escape"),
        (#"{"a":1} x"#, 8, "more after"),
        (#"{"a":1,}"#, 7, "member name"),
        (#"[1 2]"#, 3, "',' or ']'"),
        (#"{"a":tru}"#, 5, "expected true"),
    ])
    func strictRefusals(text: String, offset: Int, words: String) {
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.parse(Array(text.utf8)) }
        do {
            _ = try StrictJSON.parse(Array(text.utf8))
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.reason.contains(words), "\(text): \(error)")
        }
    }

    @Test("StrictJSON reads what RFC 8259 allows: escapes, surrogate pairs, nesting, negative and 64-bit numbers")
    func strictReads() throws {
        let v = try StrictJSON.parse(Array(#" {"s":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","n":[-5,0,18446744073709551615,{}],"t":true,"f":false,"z":null} "#.utf8))
        #expect(v == .object([
            ("s", .string("a\"\\/\u{08}\u{0C}\n\r\té😀")),
            ("n", .array([.int(-5), .int(0), .uint(UInt64.max), .object([])])),
            ("t", .bool(true)), ("f", .bool(false)), ("z", .null),
        ]))
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.parse(Array(String(repeating: "[", count: 65).utf8) + Array(String(repeating: "]", count: 65).utf8)) }
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.parse([0x22, 0xFF, 0x22]) }
    }

    // MARK: export and reading

    @Test("export, write, read: the same document, every entry's values kept (a v0 entry as nodeos converts it)")
    func roundTrip() throws {
        for format in [SafetyFormat.savannaV1, .savannaV0] {
            let file = Fixture.savannaFile(format)
            let doc = try Self.document(file)
            #expect(doc.entries.count == file.entries.count)
            let read = try InterchangeDocument(bytes: doc.bytes)
            #expect(read == doc)
            for (e, d) in zip(file.entries, read.entries) {
                let s = try #require(e.savanna)
                #expect(d.key == e.key)
                #expect(d.safety.lastVote == s.lastVote)
                #expect(d.safety.lock == s.lock)
                if let forked = s.votesForkedSinceLatestStrongVote {
                    // spring converts a v0 entry on load: true -> last_vote's time, false -> 0 (format.md).
                    #expect(d.safety.otherBranchLatestTime == (forked ? s.lastVote.timestamp : .zero))
                } else {
                    #expect(d.safety.otherBranchLatestTime == s.otherBranchLatestTime)
                }
            }
        }
        // A key that never voted: its last vote is null, not a block of zeros.
        let text = String(decoding: try Self.document().bytes, as: UTF8.self)
        #expect(text.contains("\"last_vote\": null"))
    }

    @Test("--key chooses entries; a key the file lacks and a HotStuff file are refused with the reason")
    func exportChoices() throws {
        let one = try InterchangeDocument.export(
            Fixture.savannaFile(), keys: [Fixture.key(2)], chainID: Self.chain, chainIDSource: "x", exported: Self.exported)
        #expect(one.entries.map(\.key) == [Fixture.key(2)])
        #expect(throws: InterchangeDocument.Failure.self) {
            try InterchangeDocument.export(Fixture.savannaFile(), keys: [Fixture.key(9)], chainID: Self.chain, chainIDSource: "x", exported: Self.exported)
        }
        do {
            _ = try InterchangeDocument.export(Fixture.hotStuffFile(), chainID: Self.chain, chainIDSource: "x", exported: Self.exported)
            Issue.record("a HotStuff file was exported")
        } catch {
            #expect(error.reason.contains("spring's nodeos never reads it"))
        }
    }

    @Test("a document that is wrong in any member is refused, naming the member", arguments: [
        ("\"version\": 1", "\"version\": 2", "version", "not known"),
        ("\"version\": 1", "\"version\": 1, \"extra\": 0", "extra", "not a member"),
        ("\"format\": \"finality-safety-interchange\"", "\"format\": \"eip-3076\"", "format", "not a safety interchange document"),
        ("\"block_num\": 5230", "\"block_num\": 5231", "entries[0].last_vote.block_num", "not the block id's number"),
        ("\"timestamp_slot\": 10460", "\"timestamp_slot\": 10462", "entries[0].last_vote.timestamp", "is not the time of slot"),
        ("\"timestamp_slot\": 10460", "\"timestamp_slot\": -1", "entries[0].last_vote.timestamp_slot", "whole number"),
        ("\"other_branch_latest_time_slot\": 0", "\"other_branch_latest_time_slot\": 4294967296", "entries[0].other_branch_latest_time_slot", "whole number"),
        ("\"time\": \"2026-12-07T01:40:12Z\"", "\"time\": \"2026-12-07 01:40\"", "exported.time", "UTC"),
        ("\"path\": \"/srv", "\"path\": \"srv", "exported.path", "absolute"),
        ("\"while_running\": false", "\"while_running\": \"no\"", "exported.while_running", "true or false"),
        ("\"chain_id\": \"c4c4", "\"chain_id\": \"zzc4", "chain_id", "64 hex digits"),
    ])
    func refusals(old: String, new: String, member: String, words: String) throws {
        let bytes = try Self.edited(old, new)
        do {
            _ = try InterchangeDocument(bytes: bytes)
            Issue.record("accepted with \(new)")
        } catch {
            #expect(error.member == member, "\(error)")
            #expect(error.reason.contains(words), "\(error)")
        }
    }

    @Test("a key twice, a key whose checksum is wrong and a key off the curve are refused at the key")
    func keyRefusals() throws {
        let doc = try Self.document()
        var twice = doc
        twice.entries.append(doc.entries[0])
        do {
            _ = try InterchangeDocument(bytes: twice.bytes)
            Issue.record("a key twice was accepted")
        } catch {
            #expect(error.member == "entries[3].key")
            #expect(error.reason.contains("entries[0]"))
        }
        let key = doc.entries[0].key.text
        var broken = Array(key)
        broken[20] = broken[20] == "A" ? "B" : "A"
        let badChecksum = try Self.edited(key, String(broken))
        do {
            _ = try InterchangeDocument(bytes: badChecksum)
            Issue.record("a key with a wrong checksum was accepted")
        } catch {
            #expect(error.member == "entries[0].key")
        }
        // A point off the curve, with a correct checksum: x = 1, y = 1.
        var raw = [UInt8](repeating: 0, count: 96)
        raw[0] = 1
        raw[48] = 1
        let offCurve = try Self.edited(key, KeyText.encode(raw))
        do {
            _ = try InterchangeDocument(bytes: offCurve)
            Issue.record("a key off the curve was accepted")
        } catch {
            #expect(error.member == "entries[0].key")
            #expect(error.reason.contains("not a point on the BLS12-381 curve"))
        }
    }

    @Test("every exported document validates against Docs/finality-interchange.schema.json (python3 jsonschema)")
    func schema() throws {
        let python = RequiredTools.which("python3")
        let hasModule = python.map { runToEnd($0, ["-c", "import jsonschema"]) == 0 } ?? false
        try RequiredTools.require(hasModule, "python3 with the jsonschema module (Debian python3-jsonschema)")
        let dir = TemporaryPaths.name("finality-interchange")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = PackagePaths.root.appendingPathComponent("Docs/finality-interchange.schema.json").path
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            bad = 0
            for path in sys.argv[2:]:
                doc = json.load(open(path))
                errors = list(v.iter_errors(doc))
                want_valid = "/valid-" in path
                if bool(errors) == want_valid:
                    bad += 1
                    print(path, [e.message for e in errors])
            sys.exit(1 if bad else 0)
            """
        var paths: [String] = []
        for (n, file) in [Fixture.savannaFile(), Fixture.savannaFile(.savannaV0)].enumerated() {
            let p = dir + "/valid-\(n).json"
            #expect(FileManager.default.createFile(atPath: p, contents: Data(try Self.document(file).bytes)))
            paths.append(p)
        }
        // The schema must be able to fail: an extra member and a fraction are invalid.
        for (n, (old, new)) in [("\"version\": 1", "\"version\": 1, \"extra\": 0"), ("\"other_branch_latest_time_slot\": 0", "\"other_branch_latest_time_slot\": 0.5")].enumerated() {
            let p = dir + "/invalid-\(n).json"
            #expect(FileManager.default.createFile(atPath: p, contents: Data(try Self.edited(old, new))))
            paths.append(p)
        }
        let scriptPath = dir + "/check.py"
        #expect(FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8)))
        #expect(runToEnd(try #require(python), [scriptPath, schema] + paths) == 0)
    }

    // MARK: merge

    @Test("merge: absent, the document's entry; present, the later of each field, naming its source; same block at one time is both")
    func mergeCases() throws {
        let file = try #require(Fixture.savanna(key: 1, vote: 5230, lock: 5210, otherBranch: 7).savanna)
        let newer = try #require(Fixture.savanna(key: 1, vote: 5300, lock: 5200, otherBranch: 9).savanna)
        let m = try InterchangeMerge.merge(file: file, document: newer)
        #expect(m.safety.lastVote == newer.lastVote && m.lastVote == .document)
        #expect(m.safety.lock == file.lock && m.lock == .file)
        #expect(m.safety.otherBranchLatestTime.slot == 9 && m.otherBranchLatestTime == .document)
        let absent = try InterchangeMerge.merge(file: nil, document: newer)
        #expect(absent.safety == newer && absent.lastVote == .document)
        // Importing the merged result again changes nothing.
        #expect(try InterchangeMerge.merge(file: m.safety, document: newer).isUnchanged)
        // An older document moves nothing back.
        let older = try #require(Fixture.savanna(key: 1, vote: 100, lock: 90).savanna)
        let o = try InterchangeMerge.merge(file: file, document: older)
        #expect(o.isUnchanged && o.safety == file)
    }

    @Test("two different blocks at the same time in the file and the document: refused, naming the field")
    func mergeConflict() throws {
        let file = try #require(Fixture.savanna(key: 1, vote: 5230, lock: 5210).savanna)
        var other = file
        other.lastVote = BlockRef(blockID: Fixture.id(5230, fill: 0xCD), timestamp: file.lastVote.timestamp)
        do {
            _ = try InterchangeMerge.merge(file: file, document: other)
            Issue.record("two votes at one time were merged")
        } catch {
            #expect(error.field == "last_vote")
            #expect(error.description.contains("different blocks at the same time"))
        }
    }

    @Test("property: the merged entry is never older than either input in any field (2,000 random pairs, empty values included)")
    func mergeNeverMovesBack() {
        var rng = SplitMix(seed: 24)
        var merged = 0, conflicts = 0
        for _ in 0..<2000 {
            func ref() -> BlockRef {
                if Int.random(in: 0..<5, using: &rng) == 0 { return .empty }
                let n = UInt32.random(in: 1...40, using: &rng)
                // Mostly one block per time; sometimes another block at the same time.
                return BlockRef(blockID: Fixture.id(n, fill: Int.random(in: 0..<10, using: &rng) == 0 ? 0xCD : 0xAB), timestamp: BlockTimestamp(slot: n * 2))
            }
            func safety() -> SavannaSafety {
                SavannaSafety(lastVote: ref(), lock: ref(), otherBranchLatestTime: BlockTimestamp(slot: UInt32.random(in: 0...80, using: &rng)))
            }
            let a = safety(), b = safety()
            do {
                let m = try InterchangeMerge.merge(file: a, document: b).safety
                merged += 1
                for (x, y) in [(m.lastVote, a.lastVote), (m.lastVote, b.lastVote), (m.lock, a.lock), (m.lock, b.lock)] {
                    #expect(x.timestamp >= y.timestamp, "\(a) + \(b) -> \(m)")
                    #expect(!x.isEmpty || y.isEmpty)
                }
                #expect(m.otherBranchLatestTime >= a.otherBranchLatestTime && m.otherBranchLatestTime >= b.otherBranchLatestTime)
                // Merging is idempotent and the order of the two inputs does not matter.
                #expect(try InterchangeMerge.merge(file: m, document: b).safety == m)
                #expect(try InterchangeMerge.merge(file: b, document: a).safety.lastVote.timestamp == m.lastVote.timestamp)
            } catch {
                conflicts += 1
                #expect(error.file.timestamp == error.document.timestamp && error.file.blockID != error.document.blockID)
            }
        }
        #expect(merged > 1500 && conflicts > 0, "merged \(merged), conflicts \(conflicts)")
    }
}
