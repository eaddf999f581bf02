import FinalityFormat
import Glibc
import SystemPackage

/// `--prometheus-file PATH`: the metrics written for node_exporter's textfile collector,
/// atomically: the bytes go to a hidden temporary name in the same directory (not ending in
/// `.prom`, so the collector never reads it half written), then rename(2) gives them the
/// name. A reader sees the old file or the new one, never a part.
public enum MetricsFile {
    /// `<dir>/.<name>.tmp-<pid>`.
    public static func temporaryName(for path: String) -> String {
        let dir = PathText.directory(path)
        let name = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        return (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
    }

    public static func write(_ text: String, to path: String) throws(EngineError) {
        let temporary = temporaryName(for: path)
        do throws(Errno) {
            // A temporary of this process left by an earlier failed write: ours to remove.
            try? Sys.unlink(temporary)
            try Sys.createFile(temporary, Array(text.utf8), durable: false)
        } catch {
            throw .io(path: temporary, operation: "write", reason: error.description)
        }
        do throws(Errno) {
            try Sys.rename(temporary, path)
        } catch {
            try? Sys.unlink(temporary)
            throw .io(path: path, operation: "rename", reason: error.description)
        }
    }
}
