import FoundationEssentials
import FinalityFormat

/// The one typed confirmation rule, for every front end and every kind of change:
/// - a change of one key's entry (reset, delete): the 8 characters after `PUB_BLS_` of
///   that key, exactly (key text is case-sensitive base64url);
/// - a change of the whole file (restore, and repair): the first 12 hex digits of the
///   SHA-256 of the file as it will be written (for a restore: the backup's hash).
/// Never a bare "y": the operator reads what is being changed and types part of it,
/// which support staff can read out over the phone.
public struct Confirmation: Hashable, Sendable {
    public var expected: String
    /// What to type, as the prompt says it.
    public var hint: String

    public init(expected: String, hint: String) {
        self.expected = expected
        self.hint = hint
    }

    public init(for plan: Plan) {
        if let key = plan.key {
            self = .forKey(key)
        } else {
            self = .forWholeFile(afterSHA256: plan.afterSHA256, isRestore: plan.action == .restore)
        }
    }

    /// A change of one key's entry.
    public static func forKey(_ key: BLSPublicKey) -> Confirmation {
        Confirmation(expected: String(key.text.dropFirst(KeyText.prefix.count).prefix(8)), hint: "type the 8 characters after PUB_BLS_ of the key")
    }

    /// A change of the whole file.
    public static func forWholeFile(afterSHA256: Bytes32, isRestore: Bool) -> Confirmation {
        Confirmation(
            expected: String(afterSHA256.hex.prefix(12)),
            hint: isRestore ? "type the first 12 hex digits of the backup's SHA-256" : "type the first 12 hex digits of the new file's SHA-256")
    }

    /// Surrounding spaces are forgiven (a paste); anything else must match exactly.
    public func accepts(_ typed: String) -> Bool {
        !expected.isEmpty && Self.trimmed(typed) == expected
    }

    static func trimmed(_ s: String) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.reversed())
    }
}
