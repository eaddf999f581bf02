import FinalityFormat

/// How plans, diffs and interlock results read, as text for people and as stable JSON.
extension FieldChange {
    public var json: JSON {
        .object([
            ("name", .string(name)), ("alias", .string(alias)),
            ("before", before?.json ?? .null), ("after", after?.json ?? .null), ("changed", .bool(changed)),
        ])
    }
}

extension EntryDiff {
    public var json: JSON {
        .object([
            ("key", .string(key.text)), ("change", .string(kind.rawValue)),
            ("old_index", oldIndex.map { .int(Int64($0)) } ?? .null),
            ("new_index", newIndex.map { .int(Int64($0)) } ?? .null),
            ("fields", .array(fields.map(\.json))),
        ])
    }

    /// Each field, before → after; changed fields marked with `*`.
    public var lines: [String] {
        let where_: String = switch kind {
        case .changed: "changed (entry \(grouped(oldIndex!)) → \(grouped(newIndex!)))"
        case .unchanged: "unchanged"
        case .removed: "REMOVED (was entry \(grouped(oldIndex!)))"
        case .added: "ADDED (entry \(grouped(newIndex!)))"
        }
        var out = ["key \(key.text): \(where_)"]
        for f in fields {
            let mark = f.changed ? "*" : " "
            let alias = f.alias == "-" ? "" : " (\(f.alias))"
            if f.changed {
                out.append("  \(mark) \(f.name)\(alias)")
                out.append("        before  \(f.before.map(\.description) ?? "(absent)")")
                out.append("        after   \(f.after.map(\.description) ?? "(absent)")")
            } else {
                out.append("  \(mark) \(f.name)\(alias)  \(f.after.map(\.description) ?? "(absent)")")
            }
        }
        return out
    }
}

extension PlanWarning {
    public var json: JSON { .object([("kind", .string(kind.rawValue)), ("message", .string(message))]) }
}

extension FileDiff {
    public var json: JSON {
        .object([
            ("old_format", .string(oldFormat.name)), ("new_format", .string(newFormat.name)),
            ("identical", .bool(isIdentical)), ("changed_entries", .int(Int64(changedCount))),
            ("order_changed", .bool(orderChanged)),
            ("trailing_bytes", .object([("old", .int(Int64(oldTrailingBytes))), ("new", .int(Int64(newTrailingBytes)))])),
            ("entries", .array(entries.map(\.json))),
            ("warnings", .array(warnings.map(\.json))),
        ])
    }

    /// Changed, removed and added keys in full; unchanged ones counted.
    public var lines: [String] {
        var out = [String]()
        if oldFormat != newFormat { out.append("format: \(oldFormat) → \(newFormat)") }
        else { out.append("format: \(oldFormat) (kept)") }
        for e in entries where e.kind != .unchanged { out += e.lines }
        let same = entries.filter { $0.kind == .unchanged }.count
        out.append("\(grouped(same)) other entr\(same == 1 ? "y" : "ies") unchanged\(orderChanged ? "; the order of entries changed" : ", same order")")
        if oldTrailingBytes != newTrailingBytes {
            out.append("trailing bytes after the file: \(grouped(oldTrailingBytes)) → \(grouped(newTrailingBytes))")
        } else if oldTrailingBytes > 0 {
            out.append("trailing bytes after the file: \(grouped(oldTrailingBytes)), kept")
        }
        return out
    }
}

extension InterlockCheck {
    public var json: JSON {
        .object([
            ("name", .string(name)), ("checked", .string(checked)), ("found", .string(found)),
            ("outcome", .string(outcome.rawValue)), ("pids", .array(pids.map { .int(Int64($0)) })),
            ("blocks", .bool(blocks)), ("unseen", .array(unseen.map { .string($0) })),
            ("override_reason", overrideReason.map { .string($0) } ?? .null),
        ])
    }
}

extension InterlockReport {
    public var json: JSON { .array(checks.map(\.json)) }
    public var lines: [String] { checks.flatMap { $0.lines.map { "  " + $0 } } }
}

extension Plan {
    public var json: JSON {
        let keyNode: JSON = key.map { .string($0.text) } ?? .null
        let indexNode: JSON = entryIndex.map { .int(Int64($0)) } ?? .null
        let libNode: JSON = lib.map(JSONModel.libDecision) ?? .null
        var inputs: JSON = .null
        if let p = proposal {
            inputs = .object([
                ("block_id", .string(p.blockID.hex)), ("phase_counter", .int(Int64(p.phaseCounter))),
                ("final_on_qc", .string(p.finalOnQC.hex)), ("inner_sha256", .string(p.inner.hex)),
                ("proposal_id", .string(p.id.hex)),
            ])
        }
        let source: JSON = restoreSource.map { .string($0) } ?? .null
        var pairs: [(String, JSON)] = [
            ("action", .string(action.rawValue)),
            ("file", .string(path)),
            ("format", .string(format.name)),
            ("sha256_before", .string(beforeSHA256.hex)),
            ("sha256_after", .string(afterSHA256.hex)),
            ("changes_anything", .bool(changesAnything)),
            ("key", keyNode),
            ("entry_index", indexNode),
        ]
        pairs.append(("diff", diff.json))
        pairs.append(("warnings", .array(warnings.map(\.json))))
        pairs.append(("notes", .array(notes.map { .string($0) })))
        pairs.append(("lib", libNode))
        pairs.append(("b_lock_inputs", inputs))
        pairs.append(("restore_from", source))
        pairs += recoveryJSON  // vote floors and decisions (recovery's, RecoveryRules.swift)
        return .object(pairs)
    }

    public var lines: [String] {
        var out = [String]()
        let what: String = switch action {
        case .reset:
            entryIndex.map { "reset entry \(grouped($0))" }
                ?? "reset of \(resetEntries.count) entries (" + resetEntries.map { "#\(grouped($0.index))" }.joined(separator: ", ") + ")"
        case .delete: "delete entry \(grouped(entryIndex!))"
        case .restore: "restore from \(restoreSource ?? "?")"
        case .repair: "repair"
        case .importDocument: "import of \(imported?.documentPath ?? "?")"
        }
        out.append("Plan: \(what) of \(path) (\(format))")
        if let key { out.append("  key         \(key.text)") }
        for r in resetEntries { out.append("  key #\(grouped(r.index)) " + r.key.text) }
        out.append("  bound to    SHA-256 \(beforeSHA256.hex) (the file as read; applying refuses if it changes)")
        out.append("  new SHA-256 \(afterSHA256.hex)")
        out.append("")
        out += diff.lines
        out += recoveryLines  // repair summary, what nodeos will do (recovery's, RecoveryRules.swift)
        if !notes.isEmpty {
            out.append("")
            out.append("Notes:")
            out += notes.map { "  - " + $0 }
        }
        if !warnings.isEmpty {
            out.append("")
            out.append("WARNINGS (this trades safety for liveness):")
            out += warnings.map { "  ! " + $0.message }
        }
        if !changesAnything {
            out.append("")
            out.append("The new content is identical to the current one: nothing to write.")
        }
        return out
    }
}
