import Dispatch
import FoundationEssentials
import Glibc

/// `FileHandle.standardError.write(_:)`: every byte to descriptor 2 (a short write goes
/// on, EINTR is tried again). A closed or broken stderr loses the text; Foundation's
/// `write(_:)` stopped the program there instead.
public enum StandardError {
    public static func write(_ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}
