import FinalityEngine
import FinalityFormat
import Foundation
import Testing
import FinalityTestSupport

/// Issue 19, items 1 and 2: text from outside the program is planted in every input the
/// command line reads (the data dir's own name and so every path made from it, TMPDIR,
/// config.ini, a backup's name, the audit log's content and the environment it records,
/// node API answers and URLs, another user's nodeos command line, a name that is not
/// UTF-8), every command is run on it (text and --json, dry runs and a real change), and
/// no output holds a raw control character, a direction override or isolate, or a line
/// that a planted value started.
@Suite("Planted text: nothing from outside reaches a terminal raw", .serialized)
struct PlantedTextTests {
    /// Every kind of character the boundary shows as an escape, and an escape sequence that
    /// would retitle the window, clear the screen and write "all good" at the top; the
    /// CR LF would start a line of its own with FORGED.
    static let planted =
        "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[1;1Hall good\r\nFORGED\u{01}\u{08}\t\u{7F}\u{9B}2J\u{85}\u{202E}dne\u{2066}x\u{2069}"

    /// What the planted text looks like once made visible: `\r\n` right before FORGED.
    static let shownBreak = "\\r\\nFORGED"

    struct Output {
        var name: String
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var text: String { String(decoding: stdout + stderr, as: UTF8.self) }
    }

    /// The real binary under `timeout 60`, with raw argument bytes and extra environment.
    static func run(_ name: String, _ args: [[UInt8]], env: [String: String] = [:]) -> Output {
        let r = BuiltBinary.start(raw: args, env: env, timeout: 60).wait()
        return Output(name: name, status: r.status, stdout: r.stdoutBytes, stderr: r.stderrBytes)
    }

    static func run(_ name: String, _ args: [String], env: [String: String] = [:]) -> Output {
        run(name, args.map { Array($0.utf8) }, env: env)
    }

    /// What is wrong with one stream: bytes that are not UTF-8, a character the boundary
    /// shows as an escape (C0 but the line break, DEL, C1, direction overrides and
    /// isolates, invisible format characters) sent raw, or a line a planted value started
    /// (FORGED without its escaped CR LF right before it: `\r\n` as the boundary or JSON
    /// shows it, or `\\r\\n`, JSON's quoting of a message the boundary made safe).
    static func problems(_ bytes: [UInt8], _ what: String) -> [String] {
        guard let text = String(validating: bytes, as: UTF8.self) else { return ["\(what): bytes that are not UTF-8"] }
        var out = [String]()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let u = line.unicodeScalars.first(where: { DisplayText.needsEscape($0) }) {
                out.append("\(what) line \(i + 1): raw U+\(String(u.value, radix: 16, uppercase: true)) in \(DisplayText.sanitize(String(line), limit: 300))")
            }
            var rest = Substring(line)
            while let r = rest.range(of: "FORGED") {
                let before = rest[..<r.lowerBound]
                if !before.hasSuffix("\\r\\n") && !before.hasSuffix("\\\\r\\\\n") {
                    out.append("\(what) line \(i + 1): a line a value started: \(DisplayText.sanitize(String(line), limit: 300))")
                    break
                }
                rest = rest[r.upperBound...]
            }
        }
        return out
    }

    static func problems(_ o: Output) -> [String] {
        problems(o.stdout, "\(o.name) (exit \(o.status)) stdout") + problems(o.stderr, "\(o.name) (exit \(o.status)) stderr")
    }

    /// A node API whose every answer carries the planted text where nodeos puts free text
    /// (server version strings, finalizer descriptions), for the demo's keys.
    static func plantedNode(keys: [BLSPublicKey], lib: UInt32) -> TestHTTPServer {
        let json = JSON.string(planted).serialized()  // the planted text as a JSON string literal
        let info = FakeAnswers.getInfo(head: lib + 20, headSlot: FakeAnswers.nowSlot(), lib: lib, libSlot: FakeAnswers.nowSlot() - 20)
            .replacingOccurrences(of: "\"v1.1.2\"", with: json)
            .replacingOccurrences(of: "\"d133c641\"", with: json)
        let votes = keys.map { FakeAnswers.Vote(key: $0, block: lib + 10, slot: FakeAnswers.nowSlot() - 10, strong: true) }
        let finalizers = FakeAnswers.finalizerInfo(votes).replacingOccurrences(of: "\"bp\"", with: json)
            .replacingOccurrences(of: "\"bp0\"", with: json)
        return TestHTTPServer([
            "/v1/chain/get_info": .respond(status: 200, body: info),
            "/v1/chain/get_finalizer_info": .respond(status: 200, body: finalizers),
            "/v1/chain/get_block_info": .respond(status: 200, body: FakeAnswers.blockInfo(lib, slot: FakeAnswers.nowSlot() - 20)),
        ])
    }

    /// A running "nodeos" of its own (a copy of bash named nodeos, looping) whose command
    /// line names a data dir holding the planted text: it is "elsewhere" to every file
    /// here, and every change prints the processes interlock's line about it.
    final class Nodeos {
        let process = Process()
        init(dataDir: String) throws {
            let dir = try TemporaryPaths.directory("finality-planted-nodeos")
            try FileManager.default.copyItem(atPath: "/bin/bash", toPath: dir + "/nodeos")
            try Data("while :; do sleep 0.2; done\n".utf8).write(to: URL(fileURLWithPath: dir + "/loop.sh"))
            process.executableURL = URL(fileURLWithPath: dir + "/nodeos")
            process.arguments = [dir + "/loop.sh", "--data-dir", dataDir]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            var started = false
            for _ in 0..<50 where !started {
                // A copy just written can be "Text file busy" for a moment.
                do { try process.run(); started = true } catch { usleep(20_000) }
            }
            let pid = process.processIdentifier
            for _ in 0..<500 {
                let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
                let args = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { $0.split(separator: 0).count } ?? 0
                if comm.hasPrefix("nodeos") && args == 4 { break }
                usleep(10_000)
            }
        }
        var pid: Int32 { process.processIdentifier }
        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        deinit { stop() }
    }

    @Test("every command, text and --json, dry runs and a real change, on a planted data dir, its config, backups, audit log, node APIs and another nodeos")
    func everyCommand() throws {
        try #require(BuiltBinary.finality != nil, "the finality binary must be built")
        let base = try TemporaryPaths.directory("finality-planted")
        let hostile = base + "/" + Self.planted
        try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: false)
        var outputs = [Output]()
        /// Runs and keeps the output; `shows`: the planted text must appear in it (made
        /// visible), so that a command that printed nothing of it proves nothing.
        func check(_ name: String, _ args: [String], env: [String: String] = [:], shows: Bool = true, status: ClosedRange<Int32> = 0...4) {
            let o = Self.run(name, args, env: env)
            outputs.append(o)
            #expect(status.contains(o.status), "\(name): exit \(o.status): \(DisplayText.sanitize(o.text, limit: 2000))")
            if shows { #expect(o.text.contains(Self.shownBreak), "\(name) never showed the planted text: \(DisplayText.sanitize(o.text, limit: 2000))") }
        }

        // TMPDIR (the environment) names the folder the demo is built in.
        check("demo --print-only", ["demo", "--print-only"], env: ["TMPDIR": hostile])
        let demo = try #require(try FileManager.default.contentsOfDirectory(atPath: hostile).first { $0.hasPrefix("finality-demo-") })
        let home = hostile + "/" + demo
        let data = home + "/data"
        let file = data + "/finalizers/safety.dat"
        let blocks = data + "/blocks"
        // config.ini: a key text and a value that are not keys.
        let config = try FileHandle(forWritingTo: URL(fileURLWithPath: home + "/config/config.ini"))
        config.seekToEndOfFile()
        config.write(Data("signature-provider = PUB_BLS_\(Self.planted)=KEY:PVT_BLS_planted-private-part\n".utf8))
        config.write(Data("signature-provider = \(Self.planted)\n".utf8))
        try config.close()
        let key = Fixture.key(11).text  // the demo's first configured key (entry 1)
        let inactive = Fixture.key(15).text

        // Node APIs: answers carrying the planted text, an error page, a body that is not
        // JSON, and a URL holding it.
        let node = Self.plantedNode(keys: [11, 12, 13, 14, 16].map { Fixture.key($0) }, lib: 400_000_200)
        defer { node.stop() }
        let failing = TestHTTPServer([
            "/v1/chain/get_info": .respond(status: 500, body: "{\"code\":500,\"message\":" + JSON.string(Self.planted).serialized() + "}"),
            "/v1/chain/get_finalizer_info": .respond(status: 200, body: "not json: " + Self.planted),
        ])
        defer { failing.stop() }
        let plantedURL = node.baseURL + "/" + Self.planted

        // Another nodeos, on a data dir whose name holds the planted text.
        let other = try Nodeos(dataDir: hostile + "/elsewhere-data")
        defer { other.stop() }

        // A real change first: a backup, an audit record (with SUDO_USER and
        // SSH_CONNECTION from the environment), the next steps.
        let env = ["SUDO_USER": Self.planted, "SSH_CONNECTION": Self.planted]
        check("reset --yes", ["reset", data, "--key", key, "--blocks-dir", blocks, "--yes"], env: env, status: 0...0)
        check("delete --yes --json", ["delete", data, "--key", inactive, "--blocks-dir", blocks, "--yes", "--json"], env: env, status: 0...0)
        let backups = data + "/finalizers/backups"
        let made = try FileManager.default.contentsOfDirectory(atPath: backups).sorted()
        let firstBackup = backups + "/" + (try #require(made.first))
        // A backup whose name holds the planted text, and an audit line that does.
        try FileManager.default.copyItem(atPath: firstBackup, toPath: backups + "/safety.dat.20261121T115802Z.\(Self.planted).bak")
        let record = JSON.object([
            ("time", .string(Self.planted)), ("user", .string(Self.planted)), ("action", .string(Self.planted)),
            ("key", .string(Self.planted)), ("reason", .string(Self.planted)), ("prev_sha256", .string(Self.planted)),
        ]).serialized()
        let audit = try FileHandle(forWritingTo: URL(fileURLWithPath: file + ".audit.jsonl"))
        audit.seekToEndOfFile()
        audit.write(Data((record + "\n" + Self.planted + "\n").utf8))
        try audit.close()

        for json in [false, true] {
            let j = json ? ["--json"] : []
            let tag = json ? " --json" : ""
            check("list\(tag)", ["list", data] + j)
            check("list --api\(tag)", ["list", data, "--api", node.baseURL] + j)
            check("list --api failing\(tag)", ["list", data, "--api", failing.baseURL] + j)
            check("show\(tag)", ["show", data, key, "--api", node.baseURL] + j)
            check("show unknown key\(tag)", ["show", data, "PUB_BLS_\(Self.planted)"] + j, status: 2...2)
            check("verify\(tag)", ["verify", data] + j)
            check("verify a missing path\(tag)", ["verify", hostile + "/missing"] + j, status: 2...3)
            check("lib\(tag)", ["lib", "--blocks-dir", blocks, "--api", node.baseURL, "--api", failing.baseURL, "--api", plantedURL] + j)
            check("history\(tag)", ["history", data] + j)
            check("diff\(tag)", ["diff", firstBackup, file] + j)
            check("reset --dry-run\(tag)", ["reset", data, "--key", key, "--blocks-dir", blocks, "--dry-run"] + j)
            check("reset --dry-run --api\(tag)", ["reset", data, "--key", key, "--blocks-dir", blocks, "--api", node.baseURL, "--dry-run"] + j)
            check("delete --dry-run\(tag)", ["delete", data, "--key", key, "--blocks-dir", blocks, "--dry-run"] + j)
            check("restore --dry-run\(tag)", ["restore", data, "--from", firstBackup, "--dry-run"] + j)
            check("repair --dry-run\(tag)", ["repair", data, "--blocks-dir", blocks, "--dry-run"] + j)
            check(
                "watch --until-vote\(tag)", ["watch", data, "--api", node.baseURL, "--api", failing.baseURL, "--until-vote", key, "--timeout", "1.5", "--interval", "0.5"] + j)
        }
        check("report", ["report", data, "--api", node.baseURL, "--api", failing.baseURL])
        check("reset a wrong URL", ["reset", data, "--key", key, "--api", plantedURL, "--dry-run"], status: 2...3)

        // A data dir whose safety file is missing: verify and repair say what nodeos will do.
        let missing = hostile + "/missing-file/data"
        try FileManager.default.createDirectory(atPath: missing + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: missing + "/state", withIntermediateDirectories: true)
        check("verify a data dir without its file", ["verify", missing])
        check("repair a data dir without its file", ["repair", missing, "--blocks-dir", blocks, "--dry-run"])

        var problems = outputs.flatMap(Self.problems)
        // Names that are not UTF-8, given as raw bytes.
        let notUTF8 = Array((hostile + "/bad").utf8) + [0xFF, 0xFE, 0x1B] + Array("[2J".utf8)
        _ = notUTF8.withUnsafeBufferPointer { p in
            var z = Array(p) + [0]
            return z.withUnsafeMutableBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o700) }
        }
        for (name, args) in [
            ("lib --blocks-dir not UTF-8", [Array("lib".utf8), Array("--blocks-dir".utf8), notUTF8]),
            ("list not UTF-8", [Array("list".utf8), notUTF8]),
            ("report not UTF-8", [Array("report".utf8), notUTF8]),
        ] {
            let o = Self.run(name, args)
            #expect(o.status == 2, "\(name): exit \(o.status) \(DisplayText.sanitize(o.text))")
            #expect(o.text.contains("\\xFF\\xFE\\e[2J: the name is not valid UTF-8"), "\(name): \(DisplayText.sanitize(o.text))")
            problems += Self.problems(o)
        }
        #expect(outputs.count == 39)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(60).joined(separator: "\n"))")
    }
}
