import Foundation
import Testing
import FinalityTestSupport

/// `verify`, `list` and `show` on files issue 7 is about: the loader named, the verdict
/// before the subgroup warnings, a damaged file's entries still shown.
@Suite("verify, list and show speak for the loader and show damaged files")
struct VerdictFirstTests {
    static func fixture(_ name: String) -> String { HostileInputTests.fixture(name) }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a key outside the subgroup: nodeos loads the file (exit 0); the warning follows the verdict line")
    func subgroupAfterVerdict() throws {
        let r = BuiltBinary.run(["verify", Self.fixture("key-not-in-subgroup.dat")])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let verdict = try #require(lines.firstIndex(of: "nodeos will load this file"))
        #expect(lines[(verdict + 1)...].contains { $0.contains("can never sign a valid vote") })
        #expect(!lines[..<verdict].contains { $0.contains("can never sign a valid vote") })
        #expect(lines.contains("loader: spring's nodeos (finalizers/safety.dat, Spring 1.0 and later)"))
        let j = try json(BuiltBinary.run(["verify", "--json", Self.fixture("key-not-in-subgroup.dat")]).stdout)
        #expect(j["loader"] as? String == "spring")
        #expect(j["nodeos_loads"] as? Bool == true)
        #expect((j["warnings"] as? [[String: Any]])?.map { $0["check"] as? String } == ["key-not-in-subgroup"])
    }

    @Test("list --json: the subgroup warnings come after the entries, and the document parses")
    func listSubgroupAtEnd() throws {
        let r = BuiltBinary.run(["list", "--json", Self.fixture("key-not-in-subgroup.dat")])
        #expect(r.status == 0)
        let j = try json(r.stdout)
        #expect((j["warnings"] as? [Any])?.isEmpty == true)
        #expect((j["subgroup_warnings"] as? [[String: Any]])?.first?["entry"] as? Int == 3)
        #expect((j["entries"] as? [Any])?.count == 5)
        let entries = r.stdout.range(of: "\"entries\"")!.lowerBound
        #expect(r.stdout.range(of: "\"subgroup_warnings\"")!.lowerBound > entries)
    }

    @Test("a HotStuff file: the verdict is the Leap HotStuff prototype's")
    func hotStuffLoader() throws {
        let r = BuiltBinary.run(["verify", "--json", Self.fixture("hotstuff-three-entries.dat")])
        let j = try json(r.stdout)
        #expect(j["loader"] as? String == "leap-hotstuff-prototype")
        #expect(j["verdict"] as? String == "the Leap HotStuff prototype will load this file")
        let text = BuiltBinary.run(["verify", Self.fixture("hotstuff-three-entries.dat")]).stdout
        #expect(text.contains("spring refuses it as finalizers/safety.dat (bad magic)"))
    }

    @Test("a truncated file: list shows the entries before the break, flagged; show finds one; JSON says how each read")
    func truncatedListed() throws {
        let path = Self.fixture("truncated-entry.dat")
        let r = BuiltBinary.run(["list", path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("Savanna safety.dat version 1, truncated in entry 2 (2 of 5 entries read)"))
        #expect(r.stdout.contains("the 2 entries below were read from a file nodeos refuses"))
        #expect(r.stdout.contains("PUB_BLS_Tg-_KVWMmsNCfBy"))
        let j = try json(BuiltBinary.run(["list", "--json", path]).stdout)
        #expect(j["entries_complete"] as? Bool == false)
        let entries = try #require(j["entries"] as? [[String: Any]])
        #expect(entries.map { $0["offset"] as? Int } == [24, 261])
        #expect(entries.allSatisfy { $0["from_refused_file"] as? Bool == true && $0["read_cleanly"] as? Bool == true })
        let show = BuiltBinary.run(["show", path, "PUB_BLS_Tg"])
        #expect(show.status == 1)
        #expect(show.stdout.contains("this entry was read from a file nodeos refuses (the entry itself read cleanly)"))
    }

    @Test("a key off the curve: its entry is marked ! in list")
    func badEntryMarked() {
        let r = BuiltBinary.run(["list", Self.fixture("key-not-on-curve.dat")])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\n2! "))
        #expect(!r.stdout.contains("\n1! "))
    }
}
