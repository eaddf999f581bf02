import Foundation
import Testing

/// What must be present. Outside CI a missing tool skips the tests that need it (a
/// developer without tmux can still run the rest); under `CI=true` it fails them: a
/// green CI run never means "skipped". No test returns early when something is missing:
/// it calls `require`, which says why.
public enum RequiredTools {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static let tmuxCandidates = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
    public static let tmux: String? = find(tmuxCandidates)

    /// A program on PATH (as `/usr/bin/env` finds it), or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return find(path.split(separator: ":").map { "\($0)/\(name)" })
    }

    /// The first of `candidates` that is an executable file.
    public static func find(_ candidates: [String]) -> String? { candidates.first { access($0, X_OK) == 0 } }

    /// What this machine is: CI or not, the binary and tmux found or not. Tests give their
    /// own to simulate a machine without tmux or without the binary.
    public struct Machine: Sendable {
        public var isCI: Bool
        public var binary: String?
        public var tmux: String?
        public init(isCI: Bool, binary: String?, tmux: String?) {
            self.isCI = isCI
            self.binary = binary
            self.tmux = tmux
        }
        public static var current: Machine { Machine(isCI: RequiredTools.isCI, binary: BuiltBinary.finality, tmux: RequiredTools.tmux) }
    }

    /// Whether a suite needing these runs: when they are there, and always under CI
    /// (where `require` then fails each test that lacks them).
    public static func shouldRun(needsTmux: Bool, on machine: Machine = .current) -> Bool {
        machine.isCI || (machine.binary != nil && (!needsTmux || machine.tmux != nil))
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The suites that run the binary (and tmux) call this from their `init`: a missing
    /// tool fails each test under CI=true, and skips it with the reason outside CI (where
    /// the suite's `.enabled(if: shouldRun(...))` trait has already left it out).
    public static func require(needsTmux: Bool, on machine: Machine = .current, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var missing = [String]()
        if machine.binary == nil { missing.append("the built finality binary (swift build)") }
        if needsTmux, machine.tmux == nil { missing.append("tmux (apt-get install tmux; .ci/run installs it)") }
        try require(missing.isEmpty, missing.joined(separator: ", "), isCI: machine.isCI, sourceLocation: sourceLocation)
    }

    /// What a test does when something it needs is there or not.
    public enum Outcome: Equatable, Sendable {
        /// It is there: the test runs.
        case run
        /// Outside CI: the test is cancelled with this reason (Swift Testing shows it as
        /// skipped, with the reason), never passed.
        case skip(String)
        /// Under CI=true: the test fails with this reason.
        case fail(String)
    }

    /// The rule for every test that needs something a machine may lack (a tool, root, a
    /// file system feature): run when `present`; else skip with the reason outside CI and
    /// fail under CI=true, so a green CI run never means "skipped".
    public static func outcome(_ present: Bool, _ what: String, isCI: Bool) -> Outcome {
        if present { return .run }
        return isCI ? .fail("missing under CI=true: \(what)") : .skip("skipped outside CI: needs \(what)")
    }

    /// The one way a test says what it needs, at its top (never a `return` that passes):
    /// `try RequiredTools.require(Capabilities.immutableFiles, "chattr +i on the temp dir's file system")`.
    /// Skips the running test (`Test.cancel`, Swift Testing 6.3) with the reason outside CI;
    /// throws `Missing` under CI=true, which fails it.
    public static func require(
        _ present: Bool, _ what: String, isCI: Bool = RequiredTools.isCI, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        switch outcome(present, what, isCI: isCI) {
        case .run: return
        case .skip(let reason): try Test.cancel(Comment(rawValue: reason), sourceLocation: sourceLocation)
        case .fail(let reason): throw Missing(description: reason)
        }
    }
}
