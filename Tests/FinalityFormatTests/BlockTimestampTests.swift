import Foundation
import PropertyBased
import Testing

@testable import FinalityFormat

@Suite("Block times and heights")
struct BlockTimestampTests {
    @Test("slot 0 is 2000-01-01T00:00:00.000Z")
    func slotZero() {
        let t = BlockTimestamp(slot: 0)
        #expect(t.iso8601 == "2000-01-01T00:00:00.000Z")
        #expect(t.unixMilliseconds == 946_684_800_000)
        #expect(t.date == Date(timeIntervalSince1970: 946_684_800))
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.000Z") == .zero)
        #expect(t.description == "2000-01-01T00:00:00.000Z (slot 0)")
    }

    // Reference values from Python's datetime.
    @Test(
        "known times",
        arguments: [
            (UInt32(1), "2000-01-01T00:00:00.500Z"),
            (1_535_760_001, "2024-05-01T12:00:00.500Z"),
            (1_525_132_799, "2024-02-29T23:59:59.500Z"),
            (2_401_597_695, "2038-01-19T03:14:07.500Z"),
            (UInt32.max, "2068-01-19T03:14:07.500Z"),
        ])
    func knownTimes(slot: UInt32, text: String) {
        #expect(BlockTimestamp(slot: slot).iso8601 == text)
        #expect(BlockTimestamp(iso8601: text)?.slot == slot)
    }

    @Test("Unix ms = slot × 500 + 946684800000, and back, for any slot")
    func unixMilliseconds() async {
        await propertyCheck(count: 500, input: Gen.uint32()) { slot in
            let t = BlockTimestamp(slot: slot)
            #expect(t.unixMilliseconds == Int64(slot) * 500 + 946_684_800_000)
            #expect(BlockTimestamp(unixMilliseconds: t.unixMilliseconds) == t)
            // Anywhere inside the half-second belongs to the same slot.
            #expect(BlockTimestamp(unixMilliseconds: t.unixMilliseconds + 499) == t)
            #expect(BlockTimestamp(date: t.date) == t)
        }
    }

    @Test("ISO-8601 text round-trips for any slot")
    func textRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.uint32()) { slot in
            let t = BlockTimestamp(slot: slot)
            #expect(BlockTimestamp(iso8601: t.iso8601) == t)
            #expect(BlockTimestamp(iso8601: String(t.iso8601.dropLast())) == t)  // nodeos's get_info form
        }
    }

    @Test(
        "parsing accepts the zone suffix or none, and 0 to 3 fraction digits",
        arguments: [
            ("2000-01-01T00:00:01", UInt32(2)),
            ("2000-01-01T00:00:01Z", 2),
            ("2000-01-01T00:00:01.5", 3),
            ("2000-01-01T00:00:01.50", 3),
            ("2000-01-01T00:00:01.500", 3),
            ("2000-01-01T00:00:01.500Z", 3),
            ("2000-01-01T00:00:01.0Z", 2),
            ("2000-01-01 00:00:01.000", 2),
            ("2024-05-01T12:00:00.500", 1_535_760_001),
        ])
    func parsing(text: String, slot: UInt32) {
        #expect(BlockTimestamp(iso8601: text)?.slot == slot)
    }

    @Test(
        "parsing refuses dates that do not exist and malformed text",
        arguments: [
            "2023-02-30T00:00:00", "2024-02-30T00:00:00", "2023-02-29T00:00:00", "2100-02-29T00:00:00",
            "2024-13-01T00:00:00", "2024-00-01T00:00:00", "2024-04-31T00:00:00", "2024-01-00T00:00:00",
            "2024-01-32T00:00:00", "2024-01-01T24:00:00", "2024-01-01T23:60:00", "2024-01-01T23:59:60",
            "", "2024-01-01", "2024-01-01T00:00", "2024/01/01T00:00:00", "2024-01-01T00:00:00.",
            "2024-01-01T00:00:00.5ZZ", "2024-01-01T00:00:00 ", " 2024-01-01T00:00:00", "2024-01-01T00:00:00+00:00",
            "2024-1-01T00:00:00", "+024-01-01T00:00:00", "2024-01-01T00:00:0a", "2024-01-01T00:00:00.-5",
            "2024-01-01T00:00:00.5x", "２０２４-01-01T00:00:00",
            // Outside the u32 slot range.
            "1999-12-31T23:59:59.500Z", "2068-01-19T03:14:08.000Z", "9999-12-31T23:59:59.500Z",
        ])
    func refusesBadDates(text: String) {
        #expect(BlockTimestamp(iso8601: text) == nil)
        #expect(BlockTimestamp(iso8601: text, roundDown: true) == nil)
    }

    @Test("leap days exist where the Gregorian calendar has them")
    func leapDays() {
        #expect(BlockTimestamp(iso8601: "2000-02-29T00:00:00") != nil)
        #expect(BlockTimestamp(iso8601: "2024-02-29T00:00:00") != nil)
        // January (31 days) and a leap February (29): March 1st starts day 60.
        let march1: UInt32? = BlockTimestamp(iso8601: "2000-03-01T00:00:00")?.slot
        #expect(march1 == UInt32(60 * 86_400 * 2))
    }

    @Test("a time between slots is refused unless rounding down is asked for")
    func slotBoundary() {
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.250Z") == nil)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.250Z", roundDown: true)?.slot == 0)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.999", roundDown: true)?.slot == 1)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.001") == nil)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.1") == nil)
        // Digits past the millisecond still count: .5001 is not on a slot boundary.
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.5001") == nil)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.5001", roundDown: true)?.slot == 1)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.500000Z")?.slot == 1)
        #expect(BlockTimestamp(iso8601: "2000-01-01T00:00:00.999999999", roundDown: true)?.slot == 1)
    }

    @Test("a Date far outside the slot range gives nil instead of trapping")
    func extremeDates() {
        #expect(BlockTimestamp(date: Date(timeIntervalSince1970: 1e30)) == nil)
        #expect(BlockTimestamp(date: Date(timeIntervalSince1970: -1e30)) == nil)
        #expect(BlockTimestamp(date: Date(timeIntervalSince1970: .nan)) == nil)
        #expect(BlockTimestamp(date: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(BlockTimestamp(unixMilliseconds: .max) == nil)
        #expect(BlockTimestamp(unixMilliseconds: .min) == nil)
        #expect(BlockTimestamp(unixMilliseconds: 946_684_799_999) == nil)
    }

    @Test("a block id's number is its first 4 bytes, big-endian")
    func blockNumber() throws {
        let id = try #require(Bytes32(hex: "0000000a" + String(repeating: "ff", count: 28)))
        #expect(id.blockNumber == 10)
        let id2 = try #require(Bytes32(hex: "12345678" + String(repeating: "00", count: 28)))
        #expect(id2.blockNumber == 0x1234_5678)
        #expect(Bytes32.zero.blockNumber == 0)
    }

    @Test("any number written big-endian in an id's first 4 bytes reads back")
    func blockNumberProperty() async {
        await propertyCheck(count: 300, input: Gen.uint32(), Gen.uint8().array(of: 28)) { n, rest in
            let head = [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
            let id = Bytes32(head + rest)
            #expect(id.blockNumber == n)
            #expect(Bytes32(hex: id.hex) == id)
        }
    }

    @Test("block ids parse from 64 hex digits only")
    func blockIDHex() {
        let hex = "0000000A" + String(repeating: "Ab", count: 28)
        #expect(Bytes32(hex: hex)?.hex == hex.lowercased())
        #expect(Bytes32(hex: "0x" + hex) != nil)
        #expect(Bytes32(hex: String(hex.dropLast())) == nil)
        #expect(Bytes32(hex: hex + "00") == nil)
        #expect(Bytes32(hex: String(hex.dropLast()) + "g") == nil)
        #expect(Bytes32(hex: "") == nil)
        #expect(Bytes32(hex: String(hex.dropLast(2)) + "é") == nil)
    }
}
