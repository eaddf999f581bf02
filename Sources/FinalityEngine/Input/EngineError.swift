import FinalityFormat

/// Every failure the engine reports, each with its exit status.
public enum EngineError: Error, Sendable, CustomStringConvertible, Equatable {
    case usage(String)
    case io(path: String, operation: String, reason: String)
    case invalid(path: String, finding: Finding)
    case refused(String)
    case nodeRunning(String)

    public var status: ExitStatus {
        switch self {
        case .usage: .usage
        case .io: .io
        case .invalid, .refused: .invalidOrRefused
        case .nodeRunning: .nodeRunning
        }
    }

    public var description: String {
        switch self {
        case .usage(let m): m
        case .io(let path, let op, let reason): "\(path): cannot \(op): \(reason)"
        case .invalid(let path, let f): "\(path): \(f)"
        case .refused(let m): "refused: \(m)"
        case .nodeRunning(let m): "a node is running: \(m)"
        }
    }
}
