import Dispatch
import FoundationEssentials
import Glibc

import FinalityFormat

/// `FileHandle.standardError.write(_:)`: every byte to descriptor 2 (a short write goes
/// on, EINTR is tried again). A closed or broken stderr loses the text; Foundation's
/// `write(_:)` stopped the program there instead. It takes only `SafeText`: text from
/// outside the program reaches standard error only made visible.
public enum StandardError {
    public static func write(_ text: SafeText) {
        let bytes = Array(text.text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}
