import Foundation
import MarketCore
import Testing
@testable import Lighter

/// The compact fast path for book messages against the general decoder: whatever the fast path
/// accepts, the general decoder accepts with the same fields; and Lighter's own form is taken by
/// the fast path.
@Suite struct WireCompactPathTests {
    static let markets: MarketDecimalsTable = {
        var table = MarketDecimalsTable()
        table.set(marketID: 0, priceDecimals: 2, sizeDecimals: 4)
        table.set(marketID: 1, priceDecimals: 1, sizeDecimals: 5)
        table.set(marketID: 5000, priceDecimals: 3, sizeDecimals: 2)  // above the dense table
        return table
    }()

    /// The fields of a decoded message, comparable.
    struct Fields: Equatable {
        var kind: LighterMessageKind
        var marketID: Int
        var offset: Int64?
        var nonce: Int64?
        var beginNonce: Int64?
        var timestampMs: Int64?
        var code: Int64?
        var bids: [BookLevel]
        var asks: [BookLevel]
        var trades: [LighterTrade]

        init(_ message: MarketMessage) {
            kind = message.kind
            marketID = message.marketID
            offset = message.offset
            nonce = message.nonce
            beginNonce = message.beginNonce
            timestampMs = message.timestampMs
            code = message.code
            bids = message.bids
            asks = message.asks
            trades = message.trades
        }
    }

    /// Runs the fast path alone and the general decoder alone on `bytes`.
    func both(_ bytes: [UInt8]) -> (fast: Fields?, general: Result<Fields, WireError>) {
        var decoder = MarketMessageDecoder(markets: Self.markets)
        var message = MarketMessage()
        let fast = bytes.withUnsafeBytes { decoder.decodeCompactBook($0, into: &message) } ? Fields(message) : nil
        var generalMessage = MarketMessage()
        let general = bytes.withUnsafeBytes { buffer -> Result<Fields, WireError> in
            do throws(WireError) {
                try decoder.decodeGeneral(buffer, into: &generalMessage)
                return .success(Fields(generalMessage))
            } catch { return .failure(error) }
        }
        return (fast, general)
    }

    /// Decimal text: mostly plain, sometimes an edge case the fast path must treat exactly as the
    /// general decoder does (or leave to it).
    func decimal(_ random: inout TestRandom, decimals: Int, edgy: Bool) -> String {
        let whole = String(random.next() % 100_000)
        var fraction = ""
        for _ in 0..<Int(random.next() % UInt64(decimals + 1)) { fraction += String(random.next() % 10) }
        switch edgy ? random.next() % 16 : 15 {
        case 0: return whole + "." + fraction + "000"  // zeros beyond the decimals: accepted
        case 1: return whole + "." + String(repeating: "0", count: decimals) + "7"  // one decimal too many
        case 2: return whole  // no point
        case 3: return whole + "."  // point, no fraction
        case 4: return "." + (fraction.isEmpty ? "5" : fraction)
        case 5: return String(repeating: "9", count: 15 + Int(random.next() % 6)) + "." + fraction  // near overflow
        case 6: return "000" + whole + "." + fraction  // leading zeros
        case 7: return ["", ".", "-1.5", "+2", "1e3", "1..2", "1.2.3", " 1"][Int(random.next() % 8)]
        default: return fraction.isEmpty ? whole : whole + "." + fraction
        }
    }

    func integer(_ random: inout TestRandom, magnitude: UInt64, edgy: Bool) -> String {
        switch edgy ? random.next() % 20 : 19 {
        case 0: return "-\(random.next() % magnitude)"
        case 1: return "\"\(random.next() % magnitude)\""  // quoted integer (general path)
        case 2: return "9223372036854775807"  // 19 digits
        case 3: return "12.5"
        default: return String(random.next() % magnitude)
        }
    }

    /// A book message in Lighter's compact form and key order; one in three has edge cases in
    /// its numbers, one in three a change of form.
    func compactMessage(_ random: inout TestRandom) -> String {
        let edgy = random.next() % 3 == 0
        let market = [0, 0, 0, 1, 5000, 7][Int(random.next() % 6)]  // 7 is unknown
        let decimals = Self.markets[market] ?? MarketDecimalsTable.Decimals(price: 2, size: 4)
        func levels() -> String {
            (0..<Int(random.next() % 12)).map { _ in
                "{\"price\":\"\(decimal(&random, decimals: decimals.price, edgy: edgy && random.next() % 8 == 0))\",\"size\":\"\(decimal(&random, decimals: decimals.size, edgy: edgy && random.next() % 8 == 0))\"}"
            }.joined(separator: ",")
        }
        let roll = random.next() % 8
        let type = roll < 3 ? "update/order_book" : roll < 6 ? "subscribed/order_book" : roll == 6 ? "update/trade" : "ping"
        var book = "{\"code\":\(integer(&random, magnitude: 3, edgy: edgy)),\"asks\":[\(levels())],\"bids\":[\(levels())],"
            + "\"offset\":\(integer(&random, magnitude: 100_000_000, edgy: edgy)),\"nonce\":\(integer(&random, magnitude: 10_000_000_000, edgy: edgy)),"
            + "\"begin_nonce\":\(integer(&random, magnitude: 10_000_000_000, edgy: edgy))}"
        if random.next() % 10 == 0 { book = book.replacingOccurrences(of: "\"code\":", with: "\"extra\":1,\"code\":") }
        var text = "{\"channel\":\"order_book:\(market)\",\"offset\":\(integer(&random, magnitude: 100_000_000, edgy: edgy)),\"order_book\":\(book),"
            + "\"timestamp\":\(integer(&random, magnitude: 2_000_000_000_000, edgy: edgy)),\"type\":\"\(type)\"}"
        switch random.next() % 18 {
        case 0: text += "\n"
        case 1: text = text.replacingOccurrences(of: ",\"type\"", with: ", \"type\"")
        case 2: text = text.replacingOccurrences(of: "{\"channel\":\"order_book:\(market)\",", with: "{") + ""  // no channel
        case 3: text = "{\"type\":\"\(type)\"," + text.dropFirst()  // type first as well
        default: break
        }
        return text
    }

    @Test func fastPathAgreesWithTheGeneralDecoder() {
        var random = TestRandom(seed: 2024)
        var fastAccepted = 0
        var generalAccepted = 0
        var levels = 0
        for _ in 0..<20_000 {
            let text = compactMessage(&random)
            let (fast, general) = both(Array(text.utf8))
            if case .success(let fields) = general, fields.kind == .orderBookUpdate || fields.kind == .orderBookSnapshot {
                generalAccepted += 1
            }
            guard let fast else { continue }
            fastAccepted += 1
            levels += fast.bids.count + fast.asks.count
            switch general {
            case .success(let fields): #expect(fields == fast, "\(text)")
            case .failure(let error): Issue.record("fast path accepted what the general decoder rejects (\(error)): \(text)")
            }
        }
        // Both outcomes are well represented: most valid book messages take the fast path.
        #expect(fastAccepted > 3_000)
        #expect(generalAccepted > fastAccepted)
        #expect(Double(fastAccepted) > 0.5 * Double(generalAccepted))
        #expect(levels > 20_000)
    }

    @Test func randomMutationsOfCompactMessagesAgree() {
        var random = TestRandom(seed: 77)
        let alphabet = Array("{}[]\":,.-0123456789 \\pricesz".utf8)
        var fastAccepted = 0
        for _ in 0..<20_000 {
            var bytes = Array(compactMessage(&random).utf8)
            for _ in 0..<(Int(random.next() % 3) + 1) where !bytes.isEmpty {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let (fast, general) = both(bytes)
            guard let fast else { continue }
            fastAccepted += 1
            switch general {
            case .success(let fields): #expect(fields == fast, "\(String(decoding: bytes, as: UTF8.self))")
            case .failure(let error):
                Issue.record("fast path accepted what the general decoder rejects (\(error)): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(fastAccepted > 400)
    }

    /// The protocol notes' example (section B.3), whose fields are in the order Lighter sends
    /// them, goes through the fast path; values by hand (3327.46 → 332746 ticks, 50.0000 → 500000 lots).
    @Test func lighterFormTakesTheFastPath() throws {
        let text = """
            {"channel":"order_book:0","offset":41692865,"order_book":{"code":0,"asks":[{"price":"3327.46","size":"50.0000"}],\
            "bids":[{"price":"3325.50","size":"0"}],"offset":41692865,"nonce":4037957054,"begin_nonce":4037957053},\
            "timestamp":1766434222600,"type":"update/order_book"}
            """
        let (fast, _) = both(Array(text.utf8))
        let fields = try #require(fast)
        #expect(fields.kind == .orderBookUpdate && fields.marketID == 0)
        #expect(fields.offset == 41_692_865 && fields.nonce == 4_037_957_054 && fields.beginNonce == 4_037_957_053)
        #expect(fields.timestampMs == 1_766_434_222_600 && fields.code == 0)
        #expect(fields.asks == [BookLevel(price: Price(ticks: 332_746), size: Quantity(lots: 500_000))])
        #expect(fields.bids == [BookLevel(price: Price(ticks: 332_550), size: .zero)])
    }

    @Test func decimalsTableAnswersDenseAndSparseIDs() {
        var table = MarketDecimalsTable()
        table.set(marketID: 3, priceDecimals: 2, sizeDecimals: 4)
        table.set(marketID: 100_000, priceDecimals: 6, sizeDecimals: 1)
        #expect(table[3] == MarketDecimalsTable.Decimals(price: 2, size: 4))
        #expect(table[100_000] == MarketDecimalsTable.Decimals(price: 6, size: 1))
        #expect(table[0] == nil && table[4] == nil && table[4095] == nil && table[-1] == nil && table[99_999] == nil)
        table.set(marketID: 3, priceDecimals: 1, sizeDecimals: 1)
        #expect(table[3] == MarketDecimalsTable.Decimals(price: 1, size: 1))
    }
}
