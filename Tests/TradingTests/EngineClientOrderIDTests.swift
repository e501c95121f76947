import MarketCore
import Testing
import Trading

@Suite struct EngineClientOrderIDTests {
    @Test func validRangeIsOneToTwoToThe48MinusOne() {
        #expect(ClientOrderID(rawValue: 0) == nil)
        #expect(ClientOrderID(rawValue: -5) == nil)
        #expect(ClientOrderID(rawValue: 1)?.rawValue == 1)
        #expect(ClientOrderID(rawValue: 281_474_976_710_655)?.rawValue == 281_474_976_710_655)
        #expect(ClientOrderID(rawValue: 281_474_976_710_656) == nil)
    }

    @Test func generatorCountsUpFromItsStart() {
        var ids = ClientOrderIDGenerator(start: 41)
        #expect(ids.next().rawValue == 42)
        #expect(ids.next().rawValue == 43)
        #expect(ids.next().rawValue == 44)
    }

    @Test func generatorSeededFromTimeUsesMillisecondsModTwoToThe48() {
        // 1_763_697_600_000 ms < 2^48, so the seed is the time itself.
        var ids = ClientOrderIDGenerator(startTime: Timestamp(milliseconds: 1_763_697_600_000))
        #expect(ids.next().rawValue == 1_763_697_600_001)
        // A start of 2^48 + 7 is taken mod 2^48: 7.
        var wrapped = ClientOrderIDGenerator(start: 281_474_976_710_656 + 7)
        #expect(wrapped.next().rawValue == 8)
    }

    @Test func generatorWrapsFromTheTopBackToOne() {
        var ids = ClientOrderIDGenerator(start: 281_474_976_710_654)
        #expect(ids.next().rawValue == 281_474_976_710_655)
        #expect(ids.next().rawValue == 1)
        #expect(ids.next().rawValue == 2)
    }

    @Test func lanesNeverCollide() {
        var lane0 = ClientOrderIDGenerator(start: 100, lane: 0, lanes: 3)
        var lane1 = ClientOrderIDGenerator(start: 100, lane: 1, lanes: 3)
        var lane2 = ClientOrderIDGenerator(start: 100, lane: 2, lanes: 3)
        let first0 = (0..<4).map { _ in lane0.next().rawValue }
        let first1 = (0..<4).map { _ in lane1.next().rawValue }
        let first2 = (0..<4).map { _ in lane2.next().rawValue }
        #expect(first0 == [102, 105, 108, 111])
        #expect(first1 == [103, 106, 109, 112])
        #expect(first2 == [101, 104, 107, 110])
    }

    @Test func laneWrapsToItsLowestId() {
        var ids = ClientOrderIDGenerator(start: 281_474_976_710_654, lane: 1, lanes: 2)
        // 2^48 − 1 is odd, so lane 1 gets it; then wraps to 1.
        #expect(ids.next().rawValue == 281_474_976_710_655)
        #expect(ids.next().rawValue == 1)
        var even = ClientOrderIDGenerator(start: 281_474_976_710_654, lane: 0, lanes: 2)
        // No even id above 2^48 − 2 remains: wraps to 2.
        #expect(even.next().rawValue == 2)
    }
}
