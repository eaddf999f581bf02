import FinalityFormat

/// `producer_key`: a producer and its block signing key.
public struct ProducerKey: Hashable, Sendable {
    public var producer: AccountName
    public var signingKey: ChainPublicKey

    public init(producer: AccountName, signingKey: ChainPublicKey) {
        self.producer = producer
        self.signingKey = signingKey
    }
}

/// `producer_schedule_type` (legacy `new_producers` of a block header).
public struct ProducerSchedule: Hashable, Sendable {
    public var version: UInt32
    public var producers: [ProducerKey]

    public init(version: UInt32, producers: [ProducerKey]) {
        self.version = version
        self.producers = producers
    }
}

/// One header extension: `pair<uint16_t, vector<char>>`. Savanna blocks carry the
/// finality extension (id 2) here; the tool keeps extensions as opaque bytes.
public struct HeaderExtension: Hashable, Sendable {
    public var id: UInt16
    public var data: [UInt8]

    public init(id: UInt16, data: [UInt8]) {
        self.id = id
        self.data = data
    }
}

/// The packed `block_header`: the bytes hashed for the block id.
public struct BlockHeader: Hashable, Sendable {
    public var timestamp: BlockTimestamp
    public var producer: AccountName
    public var confirmed: UInt16
    public var previous: Bytes32
    public var transactionMroot: Bytes32
    public var actionMroot: Bytes32
    public var scheduleVersion: UInt32
    public var newProducers: ProducerSchedule?
    public var headerExtensions: [HeaderExtension]

    public init(
        timestamp: BlockTimestamp, producer: AccountName, confirmed: UInt16 = 0, previous: Bytes32,
        transactionMroot: Bytes32 = .zero, actionMroot: Bytes32 = .zero, scheduleVersion: UInt32 = 0,
        newProducers: ProducerSchedule? = nil, headerExtensions: [HeaderExtension] = []
    ) {
        self.timestamp = timestamp
        self.producer = producer
        self.confirmed = confirmed
        self.previous = previous
        self.transactionMroot = transactionMroot
        self.actionMroot = actionMroot
        self.scheduleVersion = scheduleVersion
        self.newProducers = newProducers
        self.headerExtensions = headerExtensions
    }

    /// `previous`'s number + 1 (wraps like nodeos's u32 arithmetic).
    public var blockNumber: UInt32 { previous.blockNumber &+ 1 }

    public var packed: [UInt8] {
        var w = ByteWriter(capacity: 200)
        encode(&w)
        return w.bytes
    }

    /// `block_header::calculate_id`: sha256 of the packed header, its first 4 bytes
    /// replaced by the block number, big-endian.
    public var id: Bytes32 { Self.id(packedHeader: packed, blockNumber: blockNumber) }

    public static func id(packedHeader: [UInt8], blockNumber: UInt32) -> Bytes32 {
        var digest = Array(SHA256.hash(data: packedHeader))
        digest[0] = UInt8(truncatingIfNeeded: blockNumber >> 24)
        digest[1] = UInt8(truncatingIfNeeded: blockNumber >> 16)
        digest[2] = UInt8(truncatingIfNeeded: blockNumber >> 8)
        digest[3] = UInt8(truncatingIfNeeded: blockNumber)
        return Bytes32(digest)
    }

    func encode(_ w: inout ByteWriter) {
        w.u32(timestamp.slot)
        w.u64(producer.rawValue)
        w.u16(confirmed)
        w.bytes32(previous)
        w.bytes32(transactionMroot)
        w.bytes32(actionMroot)
        w.u32(scheduleVersion)
        if let schedule = newProducers {
            w.u8(1)
            w.u32(schedule.version)
            w.varint(UInt64(schedule.producers.count))
            for p in schedule.producers {
                w.u64(p.producer.rawValue)
                p.signingKey.encode(&w)
            }
        } else {
            w.u8(0)
        }
        w.varint(UInt64(headerExtensions.count))
        for e in headerExtensions {
            w.u16(e.id)
            w.varint(UInt64(e.data.count))
            w.append(e.data)
        }
    }

    static func decode(_ r: inout FieldReader) throws(DecodeFailure) -> BlockHeader {
        let timestamp = BlockTimestamp(slot: try r.u32("block_header.timestamp"))
        let producer = AccountName(rawValue: try r.u64("block_header.producer"))
        let confirmed = try r.u16("block_header.confirmed")
        let previous = try r.bytes32("block_header.previous")
        let tm = try r.bytes32("block_header.transaction_mroot")
        let am = try r.bytes32("block_header.action_mroot")
        let sv = try r.u32("block_header.schedule_version")
        var schedule: ProducerSchedule?
        if try r.bool("block_header.new_producers (optional flag)") {
            let version = try r.u32("new_producers.version")
            // 21 producers in practice; a generous bound keeps garbage from allocating.
            let n = try r.varint("new_producers.producers count", max: 10_000)
            var producers = [ProducerKey]()
            for i in 0..<Int(n) {
                let name = AccountName(rawValue: try r.u64("new_producers.producers[\(i)].producer_name"))
                let key = try ChainPublicKey.decode(&r, "new_producers.producers[\(i)].block_signing_key")
                producers.append(ProducerKey(producer: name, signingKey: key))
            }
            schedule = ProducerSchedule(version: version, producers: producers)
        }
        let count = try r.varint("block_header.header_extensions count", max: 1_000)
        var extensions = [HeaderExtension]()
        for i in 0..<Int(count) {
            let id = try r.u16("header_extensions[\(i)].id")
            let n = try r.varint("header_extensions[\(i)] length", max: 64 << 20)
            extensions.append(HeaderExtension(id: id, data: try r.take(Int(n), "header_extensions[\(i)].data")))
        }
        return BlockHeader(
            timestamp: timestamp, producer: producer, confirmed: confirmed, previous: previous, transactionMroot: tm,
            actionMroot: am, scheduleVersion: sv, newProducers: schedule, headerExtensions: extensions)
    }
}

/// A `signed_block` as this tool writes it: the header, the producer's signature, and
/// empty `transactions` and `block_extensions` (each a varint 0).
public struct SignedBlock: Hashable, Sendable {
    public var header: BlockHeader
    public var producerSignature: ChainSignature
    /// Packed `transactions` then `block_extensions`, written as they are (`[0, 0]`: none).
    public var body: [UInt8]

    public init(header: BlockHeader, producerSignature: ChainSignature, body: [UInt8] = [0, 0]) {
        self.header = header
        self.producerSignature = producerSignature
        self.body = body
    }

    public var id: Bytes32 { header.id }
    public var blockNumber: UInt32 { header.blockNumber }

    public var packed: [UInt8] {
        var w = ByteWriter(capacity: 300)
        header.encode(&w)
        producerSignature.encode(&w)
        w.append(body)
        return w.bytes
    }
}
