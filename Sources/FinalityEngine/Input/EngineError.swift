import FinalityFormat

/// Every failure the engine reports, each with its exit status.
///
/// Its messages are `SafeText`: a message written as a literal (`.usage("\(path) has no
/// finalizers/ directory")`) has each value made visible where it is interpolated, so a
/// path or a node's answer inside it can neither send a control to the terminal nor
/// start a line; the line breaks of a message are the literal's own.
public enum EngineError: Error, Sendable, CustomStringConvertible, Equatable {
    case usage(SafeText)
    case io(path: String, operation: String, reason: String)
    case invalid(path: String, finding: Finding)
    case refused(SafeText)
    case nodeRunning(SafeText)

    public var status: ExitStatus {
        switch self {
        case .usage: .usage
        case .io: .io
        case .invalid, .refused: .invalidOrRefused
        case .nodeRunning: .nodeRunning
        }
    }

    /// The message as a person reads it (safe to print: see `text`).
    public var description: String { text.text }

    /// The message, every value in it made visible (paths, reasons, findings).
    public var text: SafeText {
        switch self {
        case .usage(let m): m
        case .io(let path, let op, let reason): "\(path): cannot \(op): \(reason)"
        case .invalid(let path, let f): "\(path): \(f)"
        case .refused(let m): "refused: \(m)"
        case .nodeRunning(let m): "a node is running: \(m)"
        }
    }
}
