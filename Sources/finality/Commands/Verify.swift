import ArgumentParser
import FinalityEngine
import FinalityFormat

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Would nodeos load this file? Exit 0 yes, 1 no, with the reason.",
        discussion: """
            Runs nodeos's own checks in nodeos's order (magic, version, count against the size,
            key length 96, each key a valid BLS12-381 G1 point in the prime-order subgroup, the
            bool byte of version 0, the CRC-32 of version 1), then warns about what nodeos lets
            through: trailing bytes, duplicate keys (the first wins), an all-zero lock, a last vote
            older than its lock, timestamps in the future, a key at infinity.
            """)

    @Argument(help: "A safety file, or a data dir (finalizers/safety.dat inside).")
    var path: String

    @Flag(help: "Print JSON (documented in the README).")
    var json = false

    func run() throws {
        try FinalityCLI.run { () throws(EngineError) -> ExitStatus in
            let inspection = try Inspection.open(path)
            let v = inspection.verification
            // Issue 8: can the user nodeos runs as open the file read-write (a warning, never a refusal)?
            let nodeUser = Ownership.nodeUserCheck(inspection.loaded.location)
            var out = Output()
            if json {
                var members = inspection.jsonHeader
                members.append(("entries", v.file.map { .uint(UInt64($0.entries.count)) } ?? .null))
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
                out.line(JSON.object(members).serialized(pretty: true))
            } else {
                out.line(inspection.summaryLine)
                out.line("sha256 \(inspection.loaded.sha256.hex)")
                if let stored = v.storedCRC, let computed = v.computedCRC {
                    out.line("crc-32 stored \(CRC32.text(stored)), computed \(CRC32.text(computed))\(stored == computed ? " (match)" : " (MISMATCH)")")
                }
                for line in inspection.findingLines() { out.line(line) }
                if nodeUser.outcome == .warning { out.line("warning: \(nodeUser.checked): \(nodeUser.found)") }
                out.line(v.verdictLine)
            }
            out.flush()
            return v.nodeosLoads ? .success : .invalidOrRefused
        }
    }
}

