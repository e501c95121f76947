import MarketCore
import Testing

@Suite struct FixedPointTests {
    @Test(arguments: [
        ("3024.66", 2, Int64(302466)),
        ("3024.6600", 2, 302466),
        ("3024.6", 2, 302460),
        ("3024", 2, 302400),
        ("0.0001", 4, 1),
        (".5", 1, 5),
        ("5.", 1, 50),
        ("-1.25", 2, -125),
        ("+7", 0, 7),
        ("0", 6, 0),
        ("9223372036854775807", 0, Int64.max),
        ("92233720368.54775807", 8, Int64.max),
    ])
    func parsesExactly(text: String, decimals: Int, expected: Int64) throws {
        #expect(try FixedPoint.parse(text, decimals: decimals) == expected)
    }

    @Test func rejectsWhatIsNotExact() {
        #expect(throws: FixedPoint.ParseError.tooPrecise("3024.661", decimals: 2)) {
            try FixedPoint.parse("3024.661", decimals: 2)
        }
        #expect(throws: FixedPoint.ParseError.malformed("12a")) { try FixedPoint.parse("12a", decimals: 2) }
        #expect(throws: FixedPoint.ParseError.malformed("")) { try FixedPoint.parse("", decimals: 2) }
        #expect(throws: FixedPoint.ParseError.malformed(".")) { try FixedPoint.parse(".", decimals: 2) }
        #expect(throws: FixedPoint.ParseError.malformed("1.2.3")) { try FixedPoint.parse("1.2.3", decimals: 2) }
        #expect(throws: FixedPoint.ParseError.malformed("1e5")) { try FixedPoint.parse("1e5", decimals: 2) }
        #expect(throws: FixedPoint.ParseError.overflow("9223372036854775808")) {
            try FixedPoint.parse("9223372036854775808", decimals: 0)
        }
        #expect(throws: FixedPoint.ParseError.overflow("92233720368547758.07")) {
            try FixedPoint.parse("92233720368547758.07", decimals: 4)
        }
    }

    @Test(arguments: [
        (Int64(302466), 2, "3024.66"),
        (5, 4, "0.0005"),
        (-125, 2, "-1.25"),
        (0, 3, "0.000"),
        (42, 0, "42"),
        (Int64.min, 2, "-92233720368547758.08"),
    ])
    func formats(value: Int64, decimals: Int, expected: String) {
        #expect(FixedPoint.format(value, decimals: decimals) == expected)
    }

    @Test func roundTripsRandomValues() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let decimals = Int.random(in: 0...12, using: &generator)
            let value = Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &generator)
            let text = FixedPoint.format(value, decimals: decimals)
            #expect(try FixedPoint.parse(text, decimals: decimals) == value)
        }
    }

    @Test func doubleConversion() {
        #expect(FixedPoint.double(302466, decimals: 2) == 3024.66)
        #expect(FixedPoint.double(-5, decimals: 4) == -0.0005)
    }

    @Test func scaleIsTheExactPowerOfTen() {
        for decimals in 0...18 {
            var power = 1.0
            for _ in 0..<decimals { power *= 10 }
            #expect(FixedPoint.scale(decimals) == power, "10^\(decimals)")
            #expect(FixedPoint.scale(decimals) == Double(FixedPoint.powersOfTen[decimals]))
        }
    }
}
