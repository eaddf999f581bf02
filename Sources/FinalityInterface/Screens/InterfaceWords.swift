import FinalityEngine
import FinalityFormat

/// The interface speaks its own language: a hint from the engine that names a command-line
/// option ("give --api URL") names the interface's key for it instead. One table, option
/// to words; an option the interface has no key for is named as the command line's, in
/// words (never a `--` an operator would type into the interface).
enum InterfaceWords {
    /// Longest first: a phrase of several options before its parts.
    static let table: [(option: String, words: String)] = [
        // An export without a chain id (InterchangeExport.document): the interface has no
        // typed chain id; a node API of the chain names it.
        ("give --blocks-dir DIR or --api URL, or --chain-id HEX", "give a node API of this chain (a on the LIB screen), then x again"),
        ("give another --out", "give another name (x again, then edit the path)"),
        ("--lib-id HEX with --lib-time or --lib-slot", "a typed LIB (t on the LIB screen)"),
        ("--lib-id with --lib-time", "a typed LIB (t on the LIB screen)"),
        ("--lib-id and --lib-time", "a typed LIB (t on the LIB screen)"),
        ("--lib-id", "a typed LIB (t on the LIB screen)"),
        ("--api URL", "a node API (a on the LIB screen)"),
        ("--api", "a node API (a on the LIB screen)"),
        ("--blocks-dir DIR", "the data dir's blocks/ (u on the LIB screen reads it again)"),
        ("--blocks-dir", "the data dir's blocks/ (u on the LIB screen reads it again)"),
        ("--lib-choice N", "the source chosen at step 2 (j/k, Enter)"),
        ("--lib-reason TEXT", "the reason typed at step 2"),
        ("--config-dir DIR", "the node's config dir (start the interface with it: finality PATH, config-dir option)"),
        ("--read-only", "read-only asked at start"),
        ("--override", "an override (command line only, with a reason)"),
    ]

    /// `text` with every option named as the interface names it.
    static func say(_ text: String) -> String {
        guard text.contains("--") else { return text }
        var out = text
        for (option, words) in table where out.contains(option) {
            out = out.replacingLiteral(option, with: words)
        }
        // What is left: an option only the command line has ("--new-audit-segment").
        return commandLineOnly(out)
    }

    /// "--new-audit-segment" → "the command line's new-audit-segment option", where an
    /// option starts a word (a path with "--" inside is left alone).
    static func commandLineOnly(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.firstRange(of: "--") {
            let before = rest[..<r.lowerBound]
            let startsWord = before.isEmpty ? (out.isEmpty || out.last == " " || out.last == "(") : (before.last == " " || before.last == "(" || before.last == "\"")
            let name = rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            out += before
            if startsWord, let first = name.first, first.isLetter {
                out += "the command line's \(name) option"
                rest = rest[r.upperBound...].dropFirst(name.count)
            } else {
                out += "--"
                rest = rest[r.upperBound...]
            }
        }
        return out + rest
    }
}
