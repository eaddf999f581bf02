import FinalityFormat

/// A HotStuff proposal id (what `_b_lock` holds), from Leap's `get_digest_to_sign`:
/// `sha256( sha256(block_id ‖ u8 phase_counter) ‖ final_on_qc )`.
public struct ProposalID: Hashable, Sendable {
    public var blockID: Bytes32
    public var phaseCounter: UInt8
    /// 32 zero bytes unless the operator supplied one (`--final-on-qc`).
    public var finalOnQC: Bytes32
    /// sha256(block_id ‖ u8 phase_counter).
    public var inner: Bytes32
    /// The proposal id.
    public var id: Bytes32

    public init(blockID: Bytes32, phaseCounter: UInt8 = 2, finalOnQC: Bytes32 = .zero) {
        self.blockID = blockID
        self.phaseCounter = phaseCounter
        self.finalOnQC = finalOnQC
        inner = Bytes32(Array(SHA256.hash(data: blockID.bytes + [phaseCounter])))
        id = Bytes32(Array(SHA256.hash(data: inner.bytes + finalOnQC.bytes)))
    }

    /// The inputs as the operator reads them.
    public var explanation: [String] {
        [
            "_b_lock = sha256( sha256(block_id ‖ u8 phase_counter) ‖ final_on_qc )",
            "  block_id       \(blockID.hex) (block \(grouped(blockID.blockNumber)))",
            "  phase_counter  \(phaseCounter)",
            "  final_on_qc    \(finalOnQC.hex)\(finalOnQC.isZero ? " (zero: none supplied)" : "")",
            "  inner sha256   \(inner.hex)",
            "  proposal id    \(id.hex)",
        ]
    }
}
