/// The documented exit codes of every `finality` command (product.md).
public enum ExitStatus: Int32, Sendable {
    /// Success.
    case success = 0
    /// The file is invalid, or an operation was refused by a safety check.
    case invalidOrRefused = 1
    /// Bad usage or input.
    case usage = 2
    /// An I/O error.
    case io = 3
    /// A node is running on this file.
    case nodeRunning = 4
    /// `watch --until-vote`: every node API left the chain (another chain id than the
    /// blocks.log's or the first answer's, or LIB went backwards): no vote can count.
    case offChain = 5
}
