import Foundation
import Testing

/// Prometheus's own checker (Debian package `prometheus`; .ci/run installs it): the
/// metrics `finality network --prometheus` writes and the alerting rules in Docs/alerts
/// are checked by the real tool, never by a copy of its rules.
public enum Promtool {
    public static let path: String? = RequiredTools.which("promtool")

    /// Skips outside CI, fails under CI=true, when promtool is missing.
    public static func require(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try RequiredTools.require(
            path != nil, "promtool (Debian package prometheus; .ci/run installs it)", sourceLocation: sourceLocation)
    }

    /// Runs promtool with `input` on its standard input; its exit status and everything it printed.
    public static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/promtool")
        p.arguments = arguments
        let out = Pipe()
        let inp = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = input == nil ? FileHandle.nullDevice : inp
        try p.run()
        if let input {
            // Written on another thread: a large input must not wait for the output to be read.
            let data = Data(input.utf8)
            Thread.detachNewThread {
                inp.fileHandleForWriting.write(data)
                try? inp.fileHandleForWriting.close()
            }
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// `promtool check metrics` on this exposition text (lint included).
    public static func checkMetrics(_ text: String) throws -> (status: Int32, output: String) {
        try run(["check", "metrics"], input: text)
    }
}
