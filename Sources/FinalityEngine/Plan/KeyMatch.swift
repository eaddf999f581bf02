import FoundationEssentials
import FinalityFormat

/// Finds the entry an operator means by KEY: the full `PUB_BLS_…` text, or any unique
/// part of it, or any unique part of the key's hex bytes.
public enum KeyMatch {
    /// The index of the matching entry. Several entries with the same key (a duplicate,
    /// which nodeos resolves as "the first one wins") count as one match: the first.
    /// No match, or matches on different keys, is a usage error listing the candidates.
    public static func find(_ query: String, in file: SafetyFile) throws(EngineError) -> Int {
        let q = query.trimmed(.whitespaces)
        guard !q.isEmpty else { throw .usage("--key is empty: give the PUB_BLS_ text of the key or a unique part of it") }
        // Full key text: compare decoded bytes, never strings (nodeos ignores the unused
        // low bits of the last base64 character, so two texts can name one key).
        if q.hasPrefix(KeyText.prefix), let key = try? BLSPublicKey(text: q) {
            if let i = file.index(of: key) { return i }
            throw .usage("no entry for key \(q) in the file (\(grouped(file.entries.count)) entr\(file.entries.count == 1 ? "y" : "ies"))")
        }
        let lowered = q.lowercased()
        var matches = [Int]()
        for (i, e) in file.entries.enumerated() {
            if e.key.text.contains(q) || Hex.encode(e.key.bytes).contains(lowered) { matches.append(i) }
        }
        var distinct = [Int]()
        for i in matches where !distinct.contains(where: { file.entries[$0].key == file.entries[i].key }) {
            distinct.append(i)
        }
        switch distinct.count {
        case 1:
            return distinct[0]
        case 0:
            throw .usage("no key in the file matches \"\(q)\" (\(grouped(file.entries.count)) entr\(file.entries.count == 1 ? "y" : "ies"); `finality list` shows them)")
        default:
            let list = distinct.map { i -> SafeText in "  entry \(grouped(i)): \(file.entries[i].key.text)" }.joined(separator: "\n")
            throw .usage("\"\(q)\" matches \(grouped(distinct.count)) keys; give a longer part:\n\(list)")
        }
    }
}
