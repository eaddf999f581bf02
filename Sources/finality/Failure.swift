import ArgumentParser
import FinalityEngine
import FinalityFormat
import Foundation

/// Prints an engine error the way every command does (`finality: <message>` on stderr)
/// and turns it into the documented exit code.
func fail(_ error: EngineError) -> ExitCode {
    // Error text carries paths, node API answers and file content: made safe line by line (issue 7, reader).
    printError(error.description.split(separator: "\n", omittingEmptySubsequences: false).map { DisplayText.sanitize(String($0), limit: 4096) }.joined(separator: "\n"))
    return ExitCode(error.status.rawValue)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("finality: " + message + "\n").utf8))
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
struct Output {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func line(_ s: String = "") { write(s + "\n") }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { if errno == EINTR { continue }; break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
