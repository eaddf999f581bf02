import FinalityEngine
import FinalityFormat

/// The engine's key-by-key diff as the rows the Diff screen and the review step show:
/// file-level changes first, then each key's fields in the file's vocabulary, with the
/// other vocabulary's name beside it (`lock.block_id (_b_lock)`).
public enum DiffRows {
    public static func from(_ d: FileDiff) -> [DiffRow] {
        var out = [DiffRow]()
        out.append(DiffRow(section: "file", field: "format", before: "\(d.oldFormat)", after: "\(d.newFormat)"))
        let oldCount = d.entries.filter { $0.oldIndex != nil }.count
        let newCount = d.entries.filter { $0.newIndex != nil }.count
        out.append(DiffRow(section: "file", field: "entries", before: Format.number(oldCount), after: Format.number(newCount)))
        if d.orderChanged {
            out.append(DiffRow(section: "file", field: "entry order", before: "as stored", after: "changed"))
        }
        out.append(DiffRow(section: "file", field: "trailing bytes", before: "\(d.oldTrailingBytes)", after: "\(d.newTrailingBytes)"))
        for e in d.entries {
            let section = e.key.text
            switch e.kind {
            case .added:
                out.append(DiffRow(section: section, field: "entry", before: "(absent)", after: "added as #\(e.newIndex ?? 0)"))
            case .removed:
                out.append(DiffRow(section: section, field: "entry", before: "#\(e.oldIndex ?? 0)", after: "(removed)"))
            case .changed, .unchanged:
                break
            }
            for f in e.fields {
                let name = f.alias == "-" || f.alias.isEmpty ? f.name : "\(f.name) (\(f.alias))"
                out.append(DiffRow(section: section, field: name, before: f.before?.description ?? "(absent)", after: f.after?.description ?? "(absent)"))
            }
        }
        return out
    }
}
