import FinalityFormat

/// A data dir whose safety file does not exist, in the words every output uses (the
/// interface's Entries screen, `verify`, the report). nodeos starts without it: it gives
/// every configured key the default {last vote: empty, lock: its LIB} (spring
/// libraries/chain/finalizer.cpp `set_default_safety_information`, voting.md), so the
/// file's absence is not a refusal, but every key has lost what the file protects.
public enum MissingFile {
    public static let nodeosWillDo =
        "The safety file is missing: nodeos starts and gives every configured key {last vote: empty, lock: its LIB}: every key loses its protection against voting twice at once."

    /// What to do instead, for a data dir (a command to copy on a line of its own).
    public static func repairCommand(dataDir: String) -> String {
        "finality repair \(ShellWord.quoted(dataDir)) --blocks-dir \(ShellWord.quoted(dataDir + "/blocks"))"
    }
}
