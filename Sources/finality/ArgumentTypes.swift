import ArgumentParser
import FinalityEngine
import FinalityFormat

/// Options with a format are parsed by swift-argument-parser, with the option's own
/// message, before any command runs: a bad value is bad usage (exit 2) and nothing is read.
enum ArgumentFormat {
    /// A 32-byte value typed as 64 hex digits (block ids, digests, SHA-256 hashes), either case.
    static func hex32(_ option: String) -> @Sendable (String) throws -> Bytes32 {
        { text in
            guard let value = Bytes32(hex: text.lowercased()) else {
                throw ValidationError("\(option) must be 64 hex digits, found \"\(text)\"")
            }
            return value
        }
    }
}

extension VoteFloor.Mode: ExpressibleByArgument {}

/// An engine usage error found while validating options, as argument-parser reports it.
func validation(_ body: () throws(EngineError) -> Void) throws {
    do { try body() } catch { throw ValidationError(error.description) }
}
