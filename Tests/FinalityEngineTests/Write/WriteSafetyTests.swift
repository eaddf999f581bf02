import Foundation
import FinalityFormat
import SystemPackage
import Testing
import FinalityTestSupport
@testable import FinalityEngine

private func resetPlan(_ path: String, key: UInt64 = 1) throws -> Plan {
    try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(key).text, inputs: Fixture.inputs(5190))
}

private func options() -> ApplyOptions { ApplyOptions(context: Fixture.context()) }

/// An access ACL in the kernel's xattr form (`system.posix_acl_access`): version 2, then
/// {u16 tag, u16 permissions, u32 id} per entry, in tag order.
private func acl(userRW: UInt32) -> [UInt8] {
    var out: [UInt8] = [2, 0, 0, 0]
    func entry(_ tag: UInt16, _ perm: UInt16, _ id: UInt32) {
        out += [UInt8(tag & 0xFF), UInt8(tag >> 8), UInt8(perm & 0xFF), UInt8(perm >> 8)]
        out += [UInt8(id & 0xFF), UInt8((id >> 8) & 0xFF), UInt8((id >> 16) & 0xFF), UInt8(id >> 24)]
    }
    let undefined: UInt32 = 0xFFFF_FFFF
    entry(0x01, 6, undefined)  // user::rw-
    entry(0x02, 6, userRW)  // user:<id>:rw-
    entry(0x04, 4, undefined)  // group::r--
    entry(0x10, 6, undefined)  // mask::rw-
    entry(0x20, 0, undefined)  // other::---
    return out
}

private func xattrs(_ path: String) throws -> [String: [UInt8]] {
    let fd = try FileDescriptor.open(FilePath(path), .readOnly)
    defer { try? fd.close() }
    return try Sys.xattrs(fd)
}

private func setXattr(_ path: String, _ name: String, _ value: [UInt8]) -> Bool {
    (try? Sys.setXattr(atPath: path, name, value)) != nil
}

private func status(_ path: String) -> FileStatus { try! Sys.status(path, followLinks: false) }

/// Root (to give a file to the node's user) and xattrs with ACLs where the tests write.
private func requireRootAndXattrs() throws {
    try RequiredTools.require(Capabilities.isRoot, "root (to give the file to the node's user)")
    try RequiredTools.require(xattrsSupported, "user.* xattrs and POSIX ACLs on the temp dir's file system")
}

/// Extended attributes in user.* and ACLs work on the temp directory's file system.
private let xattrsSupported: Bool = {
    let p = TemporaryPaths.name("xattr-probe")
    FileManager.default.createFile(atPath: p, contents: Data())
    defer { unlink(p) }
    return setXattr(p, "user.probe", [1]) && setXattr(p, "system.posix_acl_access", acl(userRW: 1234))
}()

@Suite("The node can start after every write: owner, group, mode, ACLs and xattrs", .serialized)
struct OwnershipTests {
    @Test("as root, a file owned by the node's user keeps owner, group, mode, its ACL and a user xattr")
    func keepsEverything() throws {
        try requireRootAndXattrs()
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        #expect(chown(path, 1001, 1002) == 0)
        #expect(chmod(path, 0o640) == 0)
        #expect(setXattr(path, "user.finality-test", Array("kept".utf8)))
        #expect(setXattr(path, "system.posix_acl_access", acl(userRW: 1234)))
        // A default ACL on the directory would give the temp file an ACL of its own: it must not stay.
        let before = status(path)
        let beforeX = try xattrs(path)
        #expect(beforeX.keys.contains("system.posix_acl_access"))
        let plan = try resetPlan(path)
        let result = try Apply.run(plan, location: try Location.resolve(dir), options: options())
        let after = status(path)
        #expect(after.inode != before.inode)  // a new file, renamed over
        #expect(after.uid == 1001 && after.gid == 1002)
        #expect(after.permissions == before.permissions)
        #expect(try xattrs(path) == beforeX)
        #expect(Fixture.read(path) == plan.afterBytes)
        #expect(result.interlocks.checks.first { $0.name == "ownership" }?.found.contains("2 extended attributes") == true)
    }

    @Test("a directory default ACL that the temp file inherits is removed when the old file had no ACL")
    func inheritedACLRemoved() throws {
        try requireRootAndXattrs()
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        #expect(setXattr(dir + "/finalizers", "system.posix_acl_default", acl(userRW: 4321)))
        #expect(try xattrs(path)["system.posix_acl_access"] == nil)
        _ = try Apply.run(try resetPlan(path), location: try Location.resolve(dir), options: options())
        #expect(try xattrs(path)["system.posix_acl_access"] == nil)
    }

    @Test("not root and not the owner: refused before anything is written, saying who can do it")
    func notOwnerRefused() {
        let a = Ownership.Attributes(uid: 1001, gid: 1001, mode: 0o660, xattrs: [:])
        let why = Ownership.obstacle(a, euid: 1002, groups: [1002, 1001])
        #expect(why?.contains("Only root or uid 1001") == true || why?.contains("Only root or") == true)
        // The owner, in the file's group: fine.
        #expect(Ownership.obstacle(a, euid: 1001, groups: [1001]) == nil)
        // The owner but not in its group: only root can give the group.
        #expect(Ownership.obstacle(a, euid: 1001, groups: [1003])?.contains("only root") == true)
        // trusted.* needs root.
        let t = Ownership.Attributes(uid: 1001, gid: 1001, mode: 0o600, xattrs: ["trusted.x": [1]])
        #expect(Ownership.obstacle(t, euid: 1001, groups: [1001])?.contains("trusted.x") == true)
        #expect(Ownership.obstacle(t, euid: 0, groups: []) == nil)
    }

    @Test("node-user: warns when the user nodeos runs as (owner of state/) cannot open the file read-write")
    func nodeUserWarning() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        #expect(chown(dir + "/state", 1001, 1001) == 0)
        #expect(chown(path, 0, 0) == 0)
        #expect(chmod(path, 0o600) == 0)
        var check = Ownership.nodeUserCheck(file: path, dataDir: dir, nodes: [])
        #expect(check.outcome == .warning)
        #expect(check.found.contains("state is owned by uid 1001") || check.found.contains("(uid 1001)"))
        #expect(check.found.contains("would fail"))
        #expect(!check.blocks)
        // Owned by that user: fine. Group-writable through its group: fine too.
        #expect(chown(path, 1001, 1001) == 0)
        check = Ownership.nodeUserCheck(file: path, dataDir: dir, nodes: [])
        #expect(check.outcome == .clear)
        #expect(chown(path, 0, 1001) == 0)
        #expect(chmod(path, 0o660) == 0)
        #expect(Ownership.nodeUserCheck(file: path, dataDir: dir, nodes: []).outcome == (getpwuid(1001) == nil ? .warning : .clear))
        // And it is one of the checks every write shows.
        #expect(Interlocks.run(try Location.resolve(dir)).checks.contains { $0.name == "node-user" })
    }
}

@Suite("No change without its audit record", .serialized)
struct AuditLogCheckTests {
    func refusedNothingWritten(_ dir: String, _ path: String, status want: FinalityEngine.ExitStatus, _ words: String) throws {
        let old = Fixture.read(path)
        let auditBefore = try? Sys.readFile(AuditLog.path(for: path), followLinks: false)
        #expect {
            try Apply.run(try resetPlan(path), location: try Location.resolve(dir), options: options())
        } throws: { e in
            (e as? EngineError)?.status == want && "\(e)".contains(words)
        }
        #expect(Fixture.read(path) == old)
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
        #expect((try? Sys.readFile(AuditLog.path(for: path), followLinks: false)) == auditBefore)
    }

    @Test("an audit log that is a symlink: nothing written (exit 3), and the link's target untouched")
    func symlinkedLog() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let target = dir + "/elsewhere.jsonl"
        #expect(FileManager.default.createFile(atPath: target, contents: Data()))
        try FileManager.default.createSymbolicLink(atPath: AuditLog.path(for: path), withDestinationPath: target)
        let check = AuditLog.check(AuditLog.path(for: path), newSegment: nil)
        #expect(check.outcome == .unusable)
        #expect(check.found.contains("symbolic link"))
        try refusedNothingWritten(dir, path, status: .io, "symbolic link")
        #expect(Fixture.read(target).isEmpty)
    }

    @Test("an audit log with a second name (hard link): nothing written (exit 3)")
    func linkedLog() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        _ = try AuditLog.append(AuditTests.record(1), to: AuditLog.path(for: path), context: Fixture.context())
        #expect(link(AuditLog.path(for: path), dir + "/other-name.jsonl") == 0)
        try refusedNothingWritten(dir, path, status: .io, "2 names")
    }

    @Test("an audit log that is not writable (immutable: stops root too): nothing written (exit 3)")
    func unwritableLog() throws {
        try RequiredTools.require(Capabilities.immutableFiles, Capabilities.immutableFilesNeed)
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let log = AuditLog.path(for: path)
        _ = try AuditLog.append(AuditTests.record(1), to: log, context: Fixture.context())
        Capabilities.chattr("+i", log)
        defer { Capabilities.chattr("-i", log) }
        try refusedNothingWritten(dir, path, status: .io, "audit log")
    }

    @Test("a broken chain refuses the write (exit 1); a new segment with a reason lets it through and is recorded first")
    func brokenChain() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let log = AuditLog.path(for: path)
        for i in 0..<2 { _ = try AuditLog.append(AuditTests.record(i), to: log, context: Fixture.context()) }
        var text = String(decoding: Fixture.read(log), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"n\":0", with: "\"n\":3")
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        try refusedNothingWritten(dir, path, status: .invalidOrRefused, "--new-audit-segment")
        #expect(Interlocks.run(try Location.resolve(dir)).checks.first { $0.name == "audit-log" }?.outcome == .refused)

        let plan = try resetPlan(path)
        let reason = "line 1 edited during the 2026-11-30 incident, see ticket 77"
        let result = try Apply.run(
            plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context(), newAuditSegment: reason))
        #expect(Fixture.read(path) == plan.afterBytes)
        let v = try AuditLog.verify(log)
        #expect(v.openBreak == nil)
        #expect(v.breaks.map(\.line) == [2])
        #expect(v.entries.map(\.line) == [1, 2, 3, 4, 5])
        #expect(v.entries[2].record.segment?.reason == reason)
        #expect(v.entries[3].record.sha256After == plan.afterSHA256.hex)
        #expect(result.auditSegmentLine != nil)
    }
}

@Suite("Leave nothing misleading behind", .serialized)
struct NothingMisleadingTests {
    @Test("a hard-linked safety file is named in the review: the other name keeps the old bytes")
    func hardLinkedFile() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let other = dir + "/safety-copy.dat"
        #expect(link(path, other) == 0)
        let check = Interlocks.run(try Location.resolve(dir)).checks.first { $0.name == "hard-links" }
        #expect(check?.outcome == .warning)
        #expect(check?.found.contains("2 names") == true)
        let old = Fixture.read(path)
        let plan = try resetPlan(path)
        _ = try Apply.run(plan, location: try Location.resolve(dir), options: options())
        #expect(Fixture.read(path) == plan.afterBytes)
        #expect(Fixture.read(other) == old)
    }

    @Test("deleting a key that appears twice says which entry goes and what nodeos uses afterwards (the first wins)")
    func duplicateKeyDelete() throws {
        var file = Fixture.savannaFile()
        file.entries.append(Fixture.savanna(key: 1, vote: 7000, lock: 6990))
        let bytes = SafetyFileWriter.encode(file)
        let plan = try Planner.delete(bytes: bytes, path: "/x/safety.dat", key: Fixture.key(1).text)
        let note = try #require(plan.notes.first { $0.contains("appears 2 times") }, "\(plan.notes)")
        #expect(note.contains("entry \(plan.entryIndex!) is removed (the first, the one nodeos uses now: last vote block 5,230, lock block 5,210)"))
        #expect(note.contains("entry 3 of the current file (last vote block 7,000, lock block 6,990)"))
        // The entry that goes is the first one: the duplicate stays, byte for byte.
        let after = try SafetyFileReader.decode(plan.afterBytes, options: .init(checkKeys: false))
        #expect(after.entries.last == file.entries.last)
        #expect(after.entries.count == 3)
    }
}
