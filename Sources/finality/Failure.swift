import ArgumentParser
import FinalityEngine
import FinalityFormat
import FoundationEssentials
import Glibc

/// Prints an engine error the way every command does (`finality: <message>` on stderr)
/// and turns it into the documented exit code.
func fail(_ error: EngineError) -> ExitCode {
    // Error text carries paths, node API answers and file content: its values were made
    // visible where the message was written (EngineError's messages are SafeText).
    printError(error.text)
    JSONError.emit(message: error.description, kind: JSONError.kind(error), status: error.status.rawValue)
    return ExitCode(error.status.rawValue)
}

/// `--json` asked: a failure is a JSON document on stdout too (the message also goes to
/// stderr for a person), unless JSON output had already begun (then only the exit code
/// and stderr say it: a second document would break the first).
enum JSONError {
    static var asked: Bool { CommandLine.arguments.dropFirst().contains("--json") }

    static func kind(_ e: EngineError) -> String {
        switch e {
        case .usage: "usage"
        case .io: "io"
        case .invalid: "invalid"
        case .refused: "refused"
        case .nodeRunning: "node-running"
        }
    }

    static func emit(message: String, kind: String, status: Int32) {
        guard asked, !Output.hasWritten else { return }
        let json = JSON.object([
            ("error", .object([("kind", .string(kind)), ("message", .string(message)), ("exit_status", .int(Int64(status)))]))
        ])
        var out = Output()
        out.line(json.text(pretty: true))
        out.flush()
    }
}

/// Plain text for the operator on stderr (usage lines).
func printUsage(_ text: SafeText) {
    StandardError.write(text + "\n")
}

func printError(_ message: SafeText) {
    StandardError.write("finality: " + message + "\n")
}

enum FinalityCLI {
    /// Runs a command body, mapping engine errors to exit codes.
    static func run(_ body: () throws(EngineError) -> ExitStatus) throws {
        let status: ExitStatus
        do {
            status = try body()
        } catch {
            throw fail(error)
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// Buffered standard output: large listings are written in chunks, never as one string.
/// It takes only `SafeText` (see DisplayText.swift): text from outside the program reaches
/// standard output only made visible.
struct Output {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ s: SafeText) {
        buffer.append(contentsOf: s.text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func line(_ s: SafeText = "") { write(s + "\n") }

    /// Lines an engine made (one line each: `InterlockReport.lines`, `FileHistory.lines`…),
    /// each made safe as one line: a value inside one can never start a line of its own.
    mutating func lines(_ untrusted: [String]) {
        for l in untrusted { line(SafeText(l)) }
    }

    /// Something went to stdout already (see `JSONError`).
    nonisolated(unsafe) static var hasWritten = false

    mutating func flush() {
        Output.writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// JSON made as bytes (`JSONModel.appendEntryOpen`, `list --json`'s entries): every
    /// string in it quoted by `JSON.quote`, which escapes every character `DisplayText`
    /// would show as an escape, so it holds no control but its own line breaks.
    static func writeJSON(_ bytes: [UInt8]) { writeAll(bytes) }

    /// All of `bytes` to standard output, retrying a write interrupted by a signal; a
    /// closed or broken stdout ends the writing (the exit status says the rest).
    private static func writeAll(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        hasWritten = true
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + off, raw.count - off)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    break
                }
                off += n
            }
        }
    }
}

/// Standard output is `Output`, which takes `SafeText` only; Swift's `print` would write
/// any `String` (a path, a node's answer) as it is.
@available(*, unavailable, message: "write through Output (SafeText only)")
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {}
