import ArgumentParser
import FinalityEngine
import FinalityFormat

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Would nodeos load this file? Exit 0 yes, 1 no, with the reason.",
        discussion: """
            Speaks for the program that loads the file: spring's nodeos for a Savanna safety.dat, the Leap HotStuff prototype for a HotStuff safety_db.dat (spring refuses that file).

            Runs spring's own checks in its order and nothing more: magic, version (at most 1), each entry read in full (key length 96 as fc reads its varint, coordinates below p, the point on the curve, the bool byte of version 0), the CRC-32 of version 1. Then warns about what nodeos lets through: a key outside the prime-order subgroup (it can never sign a valid vote), the point at infinity, a padded key length, trailing bytes, entries the count leaves unread, duplicate keys (the first wins), an all-zero lock, a last vote older than its lock, timestamps in the future.
            """)

    @Argument(help: "A safety file, or a data dir (finalizers/safety.dat inside).")
    var path: String

    @Flag(help: "Print JSON (documented in the README).")
    var json = false

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            // A data dir without its safety file: nodeos starts (with defaults), so this is
            // no refusal and no bad usage; say what nodeos will do, as the interface does.
            if (try? Location.resolve(path)) == nil, let target = try? RepairTarget.resolve(path), target.absent,
                let dataDir = target.location.dataDir
            {
                return missing(target.location.file, dataDir: dataDir)
            }
            // The verdict needs no subgroup check (spring does none): it comes at decode
            // speed; the subgroup warnings follow, on every core.
            var inspection = try Inspection.open(path, subgroup: false)
            var v = inspection.verification
            // Issue 8: can the user nodeos runs as open the file read-write (a warning, never a refusal)?
            let nodeUser = Ownership.nodeUserCheck(inspection.loaded.location)
            var out = Output()
            if json {
                inspection = inspection.withSubgroupWarnings()
                v = inspection.verification
                var members = inspection.jsonHeader
                members.append(("entries", v.file.map { .uint(UInt64($0.entries.count)) } ?? .null))
                members.append(("declared_count", v.declaredCount.map { .uint($0) } ?? .null))
                members.append(
                    ("crc", v.storedCRC.map { stored in
                        .object([
                            ("stored", .string(CRC32.text(stored))),
                            ("computed", .string(CRC32.text(v.computedCRC ?? 0))),
                        ])
                    } ?? .null))
                members.append(("errors", .array(v.errors.map(JSONModel.finding))))
                members.append(("warnings", .array(v.warnings.map(JSONModel.finding))))
                members.append(("node_user", nodeUser.json))
                out.line(JSON.object(members).text(pretty: true))
            } else {
                out.line(inspection.summaryLine)
                out.line(SafeText(v.loaderLine))
                out.line(inspection.sha256Line)
                if let stored = v.storedCRC, let computed = v.computedCRC {
                    out.line("crc-32 stored \(CRC32.text(stored)), computed \(CRC32.text(computed))\(stored == computed ? " (match)" : " (MISMATCH)")")
                }
                for line in inspection.findingLines() { out.line(line) }
                if nodeUser.outcome == .warning { out.line("warning: \(nodeUser.checked): \(nodeUser.found)") }
                out.line(SafeText(v.verdictLine))
                out.flush()
                for w in inspection.subgroupWarnings() { out.line("warning: \(inspection.shownPath): \(w)") }
            }
            out.flush()
            return v.nodeosLoads ? .success : .invalidOrRefused
        }
    }

    /// A data dir whose safety file is missing: exit 0 (nodeos loads nothing and starts),
    /// with what that means for every configured key and the repair that avoids it.
    func missing(_ file: String, dataDir: String) -> ExitStatus {
        var out = Output()
        if json {
            out.line(JSON.object([
                ("file", .string(file)), ("data_dir", .string(dataDir)), ("missing", .bool(true)), ("format", .null),
                ("nodeos_loads", .bool(true)), ("verdict", .string(MissingFile.nodeosWillDo)),
                ("repair", .string(MissingFile.repairCommand(dataDir: dataDir))),
            ]).text(pretty: true))
        } else {
            out.line("\(file): no such file (the data dir \(dataDir) has no safety file)")
            out.line(SafeText(MissingFile.nodeosWillDo))
            out.line("To give each configured key its vote floor instead (the newest evidence of its last vote), repair it:")
            out.line("  \(MissingFile.repairCommand(dataDir: dataDir))")
        }
        out.flush()
        return .success
    }
}
