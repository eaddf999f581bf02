import FoundationEssentials
import FinalityFormat
import SystemPackage

/// The change sequence, owned here once for every door (the command line's reset, delete,
/// restore and repair, and the interface's wizard). A door hands over a `ChangeRequest`
/// (what the operator chose) and shows what comes back; it gathers nothing itself.
///   1. where: the file (a repair's may be missing) and its data dir; read the file and
///      refuse if its SHA-256 is not the one the operator saw;
///   2. gather: the interlocks (once for the review), the node's keys, the LIB (read
///      unless the operator already chose among readings), the evidence of each key's
///      last vote (backups, every node API's tracked votes, LIB);
///   3. plan (a `ChangeKind`), explain, and decide the verdict (`ChangeVerdict`: ready,
///      nothing to change, or blocked) and the confirmation (`Confirmation`);
///   4. the confirmation is checked by the door that asked for it;
///   5. apply (`Apply.run`: the interlocks again under our lock, backup, atomic replace,
///      read-back, audit record), through an empty stand-in when the file was missing;
///   6. one next-steps text.
public enum ChangeWorkflow {
    /// Steps 1 to 3.
    public static func review(_ request: ChangeRequest, environment: ChangeEnvironment) throws(EngineError) -> ChangeReview {
        // 1. Where, and the bytes the plan is bound to. Only a repair may start from a file
        // that does not exist (it creates it); its plan is bound to "no bytes".
        let location: Location
        let missing: Bool
        if case .repair = request.kind {
            let target = try RepairTarget.resolve(request.path)
            (location, missing) = (target.location, target.absent)
        } else {
            (location, missing) = (try Location.resolve(request.path), false)
        }
        let bytes = missing ? [] : try LoadedFile.read(location).bytes
        let sha256 = Digest.sha256(bytes)
        if let expected = request.expectedSHA256, sha256 != expected {
            throw .refused(
                "\(location.file) changed since the plan you reviewed (expected SHA-256 \(expected.hex), now \(missing ? "missing" : sha256.hex)): nothing written; read it again and review the new plan")
        }

        // 2. The interlocks, once for the review: what the operator reads before confirming,
        // and the verdict. The write path runs them once more, under its own lock
        // (`Apply.run`), because a node can start between this review and the confirmation.
        var safety = request.interlockOptions
        safety.procRoot = environment.procRoot
        var interlocks = Interlocks.run(location, options: safety)
        if missing { interlocks = deferredToStandIn(interlocks) }

        let kind = try changeKind(request, location: location, missing: missing, interlocks: interlocks, environment: environment)
        let plan = try kind.plan(bytes: bytes, location: location)
        return ChangeReview(
            request: request, location: location, missingFile: missing, plan: plan, interlocks: interlocks,
            explanation: kind.explanation(of: plan), verdict: ChangeVerdict(interlocks: interlocks, plan: plan),
            confirmation: Confirmation(for: plan), nodeKeys: kind.nodeKeys, safety: safety)
    }

    /// The request as the kind of change that plans it, with everything the engine gathers
    /// for it: the same for every door.
    static func changeKind(
        _ request: ChangeRequest, location: Location, missing: Bool, interlocks: InterlockReport, environment: ChangeEnvironment
    ) throws(EngineError) -> any ChangeKind {
        switch request.kind {
        case .reset(let key):
            return ResetChange(
                key: key,
                inputs: try resetInputs(request, location: location, environment: environment),
                nodeKeys: nodeKeys(request, location: location, interlocks: interlocks, environment: environment))
        case .resetKeys(let selection):
            let keys = nodeKeys(request, location: location, interlocks: interlocks, environment: environment)
            return ResetKeysChange(
                selection: selection,
                inputs: try resetInputs(request, location: location, environment: environment),
                nodeKeys: keys, now: BlockTimestamp(date: environment.now()))
        case .delete(let key):
            return DeleteChange(
                key: key, lib: try reviewOnlyLIB(try readings(request), request),
                nodeKeys: nodeKeys(request, location: location, interlocks: interlocks, environment: environment))
        case .restore(let backup):
            return RestoreChange(backupPath: backup)
        case .importDocument(let documentPath, let keys):
            return try importChange(request, documentPath: documentPath, keys: keys, location: location, interlocks: interlocks, environment: environment)
        case .repair:
            return RepairChange(
                inputs: RepairInputs(
                    lib: try LIBDecision.forPlan(try readings(request), choice: request.libChoice, reason: request.libReason),
                    keys: nodeKeys(request, location: location, interlocks: interlocks, environment: environment),
                    evidence: evidence(request, location: location, environment: environment),
                    finalityDigest: request.finalityDigest, voteFloor: request.voteFloor),
                missing: missing)
        }
    }

    /// What a reset of one key or of several plans with: the LIB decision, the operator's
    /// digests and vote floor, and the evidence of each key's last vote.
    static func resetInputs(_ request: ChangeRequest, location: Location, environment: ChangeEnvironment) throws(EngineError) -> ResetInputs {
        ResetInputs(
            lib: try LIBDecision.forPlan(try readings(request), choice: request.libChoice, reason: request.libReason),
            finalityDigest: request.finalityDigest, bLock: request.bLock, finalOnQC: request.finalOnQC,
            voteFloor: request.voteFloor, evidence: evidence(request, location: location, environment: environment))
    }

    /// An import: the document read strictly, and the target's chain id from the LIB
    /// sources given (else the data dir's blocks.log): a document for another chain is
    /// refused, and so is one when the target's chain cannot be read.
    static func importChange(
        _ request: ChangeRequest, documentPath: String, keys: [String], location: Location, interlocks: InterlockReport,
        environment: ChangeEnvironment
    ) throws(EngineError) -> ImportChange {
        let bytes: [UInt8]
        do throws(Errno) {
            let st = try Sys.status(documentPath, followLinks: true)
            guard st.isRegular else { throw .invalidArgument }
            guard st.size <= Int64(InterchangeDocument.maximumSize) else { throw .fileTooLarge }
            bytes = try Sys.readFile(documentPath)
        } catch {
            throw .io(path: documentPath, operation: "read", reason: error == .invalidArgument ? "not a regular file" : error.description)
        }
        let document: InterchangeDocument
        do { document = try InterchangeDocument(bytes: bytes) } catch {
            throw .refused("\(documentPath): \(error.description)")
        }
        let readings: [LIBReading]
        switch request.lib {
        case .readings(let given): readings = given
        case .sources(let sources): readings = LIBReport.gather(sources.isEmpty ? LIBRequest.defaults(for: location) : sources).readings
        }
        let chain = try InterchangeDocument.chain(of: readings, typed: nil, refusing: "the chain of \(location.file) is in doubt")
        // One key, one voter: a document exported on this host from a file a running node
        // uses now is a key about to vote on two nodes at once.
        var sourceNode: String?
        if document.exported.host == environment.host, let source = try? Location.resolve(document.exported.path) {
            let report = Interlocks.run(source, procRoot: environment.procRoot)
            if report.nodeRunning {
                let pids = report.nodesUsingFile.map { String($0.pid) }.joined(separator: ", ")
                sourceNode = "a nodeos\(pids.isEmpty ? "" : " (pid \(pids))") uses \(source.file), the file this document was exported from, on this host"
            }
        }
        return ImportChange(
            document: document, documentPath: documentPath, documentSHA256: Digest.sha256(bytes), keys: keys, targetChain: chain,
            sourceNodeRunning: sourceNode,
            nodeKeys: nodeKeys(request, location: location, interlocks: interlocks, environment: environment))
    }

    /// The LIB readings: those the operator already saw, or every source read now (a
    /// source that fails stops the change: the operator named it).
    static func readings(_ request: ChangeRequest) throws(EngineError) -> [LIBReading] {
        switch request.lib {
        case .readings(let given): return given
        case .sources(let sources):
            var out = [LIBReading]()
            for s in sources { out.append(try s.read()) }
            return out
        }
    }

    /// A delete's LIB only says how far the lock moves back when nodeos recreates the
    /// entry: none given, none used; sources that disagree with no choice made are not
    /// picked among (never silently), and the review says the distance is unknown.
    static func reviewOnlyLIB(_ readings: [LIBReading], _ request: ChangeRequest) throws(EngineError) -> LIBDecision? {
        guard !readings.isEmpty else { return nil }
        if request.libChoice == nil, LIBComparison(readings).verdict == .disagree {
            try LIBDecision.crossCheck(readings)
            return nil
        }
        return try LIBDecision.forPlan(readings, choice: request.libChoice, reason: request.libReason)
    }

    /// Backups and other copies beside the file, every node API's tracked votes, "now"
    /// (the network's head time, else the clock), the clock-skew tolerance and decisions.
    static func evidence(_ request: ChangeRequest, location: Location, environment: ChangeEnvironment) -> EvidenceSet {
        EvidenceSet.gather(
            file: location.file, apiURLs: request.evidenceAPIs, timeoutSeconds: request.apiTimeoutSeconds, now: environment.now(),
            toleranceSeconds: request.clockSkewSeconds, discards: request.futureVoteDiscards)
    }

    /// The node's configured keys: `--config-dir`, else the running nodeos's (from the
    /// review's own process scan, read once with nodeos's rules: no second scan, no second
    /// parse), else nodeos's defaults (NodeConfig.find).
    static func nodeKeys(
        _ request: ChangeRequest, location: Location, interlocks: InterlockReport, environment: ChangeEnvironment
    ) -> NodeKeys {
        NodeConfig.find(for: location, configDir: request.configDir, nodesUsingFile: interlocks.nodesUsingFile, home: environment.home)
    }

    /// The checks of the file itself (who has it open, its owner, mode and links) cannot
    /// see a file that does not exist: they are said to run on the empty stand-in created
    /// after the confirmation, under the write path's lock, before anything is written. A
    /// running node, the state lock and the audit log still decide now.
    static func deferredToStandIn(_ report: InterlockReport) -> InterlockReport {
        var report = report
        for i in report.checks.indices where ["processes", "ownership", "node-user", "hard-links"].contains(report.checks[i].name) {
            let c = report.checks[i]
            guard c.outcome != .clear, c.outcome != .nodeRunning, c.outcome != .busy else { continue }
            report.checks[i].outcome = .notChecked
            report.checks[i].found =
                "the file does not exist yet: checked on the empty file created after the confirmation, before anything is written (now: \(c.found))"
        }
        return report
    }

    /// Steps 5 and 6: applies exactly the reviewed plan, as its verdict says: a blocked
    /// plan throws the blocker's error, a plan that changes nothing writes nothing (and is
    /// no error), a ready one goes through the write path, which runs the interlocks again
    /// under its lock and refuses if the file changed since the plan was made. A missing
    /// file is first replaced by an empty stand-in, created exclusively: the plan is bound
    /// to no bytes, so the stand-in is exactly what it was reviewed against, and it becomes
    /// the backup that records the absence; any failure removes it again (the file is
    /// missing as before, never an empty file nodeos would refuse).
    public static func apply(_ review: ChangeReview, context: AuditContext, environment: ChangeEnvironment) throws(EngineError) -> ChangeOutcome {
        switch review.verdict {
        case .blocked(let b): throw b.error
        case .nothingToChange: return ChangeOutcome(result: nil, plan: review.plan, nextSteps: [])
        case .ready: break
        }
        let options = ApplyOptions(
            context: context, procRoot: environment.procRoot, overrides: review.safety.overrides,
            newAuditSegment: review.safety.newAuditSegment, acknowledgeUnknown: review.safety.acknowledgeUnknown)
        let result: ApplyResult
        if review.missingFile {
            let standIn = try StandIn.create(review.location.file)
            do throws(EngineError) {
                result = try Apply.run(review.plan, location: review.location, options: options)
            } catch {
                StandIn.remove(review.location.file, standIn)
                throw error
            }
        } else {
            result = try Apply.run(review.plan, location: review.location, options: options)
        }
        return ChangeOutcome(result: result, plan: review.plan, nextSteps: nextSteps(review.plan, result, location: review.location))
    }
}
