import FinalityEngine
import FinalityFormat

/// What the runner saw of the file and the node while the screen is open (issue 20: the
/// screen follows the world, it never shows facts about a file that is gone).
public struct WorldCheck: Equatable, Sendable {
    public enum FileChange: Equatable, Sendable {
        /// Written in place, or its attributes changed: it is read again.
        case changed
        /// Another file now has the name (renamed over it): what it is.
        case replaced(String)
        /// A symbolic link now has the name: where it points.
        case linked(String)
        /// Nothing has the name any more.
        case gone
        /// Something has the name again after it was gone.
        case appeared
    }
    public var file: FileChange?
    /// The runner's last process and writability check, when new since the last look.
    public var access: WriteAccess?
    /// The runner's wall clock (Unix ms): the banner says when.
    public var unixMilliseconds: Int64
    public init(file: FileChange?, access: WriteAccess?, unixMilliseconds: Int64) {
        self.file = file
        self.access = access
        self.unixMilliseconds = unixMilliseconds
    }
}

/// A change to the file seen on disk while the screen is open: said on the status bar
/// until the next change, with the time.
public struct FileNotice: Hashable, Sendable {
    public var text: String
    /// Set when the change stops every write (gone, a link planted).
    public var readOnlyReason: String?
    public init(text: String, readOnlyReason: String? = nil) {
        self.text = text
        self.readOnlyReason = readOnlyReason
    }
}

extension AppState {
    /// How often the program looks at the file and the node without a key.
    public static let worldCheckMilliseconds = 1000

    /// How long the loop waits for a key before it wakes (ticks) on its own.
    public var wakeMilliseconds: Int { min(tickMilliseconds ?? Self.worldCheckMilliseconds, Self.worldCheckMilliseconds) }
}

extension Core {
    /// `HH:MM:SS` UTC of a Unix time in milliseconds.
    public static func clockText(_ unixMilliseconds: Int64) -> String {
        let s = (unixMilliseconds / 1000) % 86_400
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60)) UTC"
    }

    static func worldChecked(_ state: inout AppState, _ check: WorldCheck) -> [Effect] {
        var effects = [Effect]()
        let at = clockText(check.unixMilliseconds)
        let path = state.location.file
        if let change = check.file {
            switch change {
            case .changed:
                state.fileNotice = FileNotice(text: "the file changed on disk at \(at): read again")
                state.busy = "reading \(path) again"
                effects.append(.loadFile(state.location))
            case .replaced(let what):
                state.fileNotice = FileNotice(text: "the file was replaced on disk at \(at) by \(what): read again")
                state.busy = "reading \(path) again"
                effects.append(.loadFile(state.location))
            case .appeared:
                state.fileNotice = FileNotice(text: "the file is back on disk at \(at): read again")
                state.busy = "reading \(path) again"
                effects.append(.loadFile(state.location))
            case .linked(let target):
                let reason = "a symbolic link was planted at \(path) (to \(target)) at \(at)"
                state.fileNotice = FileNotice(text: reason + "; nothing is shown from it and nothing can be written", readOnlyReason: reason)
                state.file = nil
                state.fileMissing = false
                state.loadError = reason + ": finality reads and writes no file through a link; put the real file back, then ^R"
                state.entries.rows = []
            case .gone:
                let reason = "the file was removed from disk at \(at)"
                state.fileNotice = FileNotice(text: reason, readOnlyReason: reason)
                state.file = nil
                state.entries.rows = []
                state.loadError = "\(path) is gone: \(reason). What was shown came from it; nothing of it is shown now."
                if state.location.dataDir != nil {
                    // A repair can create it, as at start; the interlocks say whether.
                    state.fileMissing = true
                    effects.append(.checkInterlocks(state.location))
                }
            }
        }
        if let access = check.access {
            // Only towards safety on its own: a node that starts, a file that stops being
            // writable turn the screen read-only now; the way back is ^R (checked again).
            let wasRunning = state.file?.nodeRunning ?? state.missingAccess?.nodeRunning
            if let node = access.nodeRunning {
                state.file?.nodeRunning = node
                state.missingAccess?.nodeRunning = node
                if wasRunning == nil { state.status = StatusMessage(.warning, "a node started (seen at \(at)): \(node); the screen is read-only") }
            } else if wasRunning != nil {
                state.status = StatusMessage(.info, "the node seems to have stopped (seen at \(at)): ^R checks again and lifts read-only")
            }
            if !access.writable, state.file?.writable == true {
                state.file?.writable = false
                state.file?.notWritableReason = access.reason
            }
        }
        return effects
    }
}
