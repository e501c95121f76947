// Lighter wire decoding and the quoting hot path from raw WebSocket bytes.
// Run: swift package --package-path Benchmarks --disable-sandbox benchmark --target LighterWireBench
//
// Three message sets, 1 024 messages each with continuous nonces after a 50-level snapshot:
// - "typical update (1–6 levels)": what Lighter sends between snapshots (protocol notes B.3): a
//   handful of changed levels on either side, a quarter of them deletions;
// - "10 levels (5 per side)" and "20 levels (10 per side)": every message rewrites the top 5 or
//   10 levels of both sides (≈ 0.6 kB and 1.1 kB, the shape of STACK.md §5).
// Every sample runs 1 000 consecutive messages and reports the time per message.
//
// - "update/order_book decode (wire)": our byte decoder, prices and sizes straight to integer
//   ticks and lots; "(wire, general decoder only)": the same decoder with its compact fast path
//   switched off (the path every message took before it existed).
// - "update/order_book decode (JSONDecoder)": the baseline, Foundation's JSONDecoder into Codable
//   structs on the same messages, plus the same decimal-to-integer conversion.
// - "hot path: decode → book → vol+OBI quote → order decision": decoder, book synchronizer,
//   VolOBIStrategy with LadderShaper, and OrderManager.update (orders acknowledged as they are
//   placed so the manager compares targets with live orders); "hot path part: …" stops after the
//   book or after the quote; "baseline: hot path with the general decoder …" runs the whole path
//   with the fast path off.
// - "harness: empty iteration": what the harness adds per message.
import Benchmark
import Foundation
import Lighter
import Logging
import MarketCore
import Quant
import Trading

/// Deterministic SplitMix64.
struct BenchRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let eth = try! MarketSpec(
    symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4, minBaseAmount: Quantity(lots: 50), minQuoteNotional: 10_000_000)

/// Price text of `ticks` at 2 decimals.
func priceText(_ ticks: Int64) -> String { FixedPoint.format(ticks, decimals: 2) }
func sizeText(_ lots: Int64) -> String { FixedPoint.format(lots, decimals: 4) }

/// `count` update messages with continuous nonces: each changes 10 bid and 10 ask levels within
/// 10 ticks of 3000.00 (the touch never empties), in Lighter's key order.
func makeUpdates(count: Int, levelsPerSide: Int = 10) -> [[UInt8]] {
    var random = BenchRandom(state: 11)
    var messages: [[UInt8]] = []
    for index in 0..<count {
        func levels(_ side: Side) -> String {
            (1...levelsPerSide).map { depth -> String in
                let price: Int64 = side == .buy ? 300_000 - Int64(depth) : 300_000 + Int64(depth)
                let size: Int64 = depth == 1 ? Int64(random.next() % 50_000) + 100 : Int64(random.next() % 50_000)
                return "{\"price\":\"\(priceText(price))\",\"size\":\"\(sizeText(size))\"}"
            }.joined(separator: ",")
        }
        let nonce = 4_037_957_053 + index
        let text =
            "{\"channel\":\"order_book:0\",\"offset\":\(41_692_865 + index),\"order_book\":{\"code\":0,\"asks\":[\(levels(.sell))],"
            + "\"bids\":[\(levels(.buy))],\"offset\":\(41_692_865 + index),\"nonce\":\(nonce + 1),\"begin_nonce\":\(nonce)},"
            + "\"timestamp\":\(1_766_434_222_600 + index * 50),\"type\":\"update/order_book\"}"
        messages.append(Array(text.utf8))
    }
    return messages
}

/// `count` typical update messages with continuous nonces, as Lighter sends them between
/// snapshots: each changes a handful of levels (1–6, each on a random side, within 20 ticks of
/// 3000.00), a quarter of them deletions (size 0) except at the touch, which never empties.
func makeTypicalUpdates(count: Int) -> [[UInt8]] {
    var random = BenchRandom(state: 23)
    var messages: [[UInt8]] = []
    for index in 0..<count {
        var bids: [String] = []
        var asks: [String] = []
        let changes = Int(random.next() % 6) + 1
        for _ in 0..<changes {
            let isBid = random.next() % 2 == 0
            let depth = Int64(random.next() % 20) + 1
            let price: Int64 = isBid ? 300_000 - depth : 300_000 + depth
            let deleted = depth > 1 && random.next() % 4 == 0
            let size: Int64 = deleted ? 0 : Int64(random.next() % 50_000) + 100
            let level = "{\"price\":\"\(priceText(price))\",\"size\":\"\(sizeText(size))\"}"
            if isBid { bids.append(level) } else { asks.append(level) }
        }
        let nonce = 4_037_957_053 + index
        let text =
            "{\"channel\":\"order_book:0\",\"offset\":\(41_692_865 + index),\"order_book\":{\"code\":0,"
            + "\"asks\":[\(asks.joined(separator: ","))],\"bids\":[\(bids.joined(separator: ","))],"
            + "\"offset\":\(41_692_865 + index),\"nonce\":\(nonce + 1),\"begin_nonce\":\(nonce)},"
            + "\"timestamp\":\(1_766_434_222_600 + index * 50),\"type\":\"update/order_book\"}"
        messages.append(Array(text.utf8))
    }
    return messages
}

/// A 50-level snapshot around 3000.00 with nonce `nonce`.
func makeSnapshot(nonce: Int, offset: Int) -> [UInt8] {
    let bids = (1...50).map { "{\"price\":\"\(priceText(300_000 - Int64($0)))\",\"size\":\"\(sizeText(1000 * Int64($0)))\"}" }
    let asks = (1...50).map { "{\"price\":\"\(priceText(300_000 + Int64($0)))\",\"size\":\"\(sizeText(1000 * Int64($0)))\"}" }
    let text =
        "{\"channel\":\"order_book:0\",\"offset\":\(offset),\"order_book\":{\"code\":0,\"asks\":[\(asks.joined(separator: ","))],"
        + "\"bids\":[\(bids.joined(separator: ","))],\"offset\":\(offset),\"nonce\":\(nonce)},\"type\":\"subscribed/order_book\"}"
    return Array(text.utf8)
}

// MARK: Baseline shapes for JSONDecoder

struct CodableLevel: Decodable {
    var price: String
    var size: String
}

struct CodableBook: Decodable {
    var code: Int
    var asks: [CodableLevel]
    var bids: [CodableLevel]
    var offset: Int64
    var nonce: Int64
    var begin_nonce: Int64?
}

struct CodableMessage: Decodable {
    var channel: String
    var offset: Int64
    var order_book: CodableBook
    var timestamp: Int64?
    var type: String
}

let benchmarks: @Sendable () -> Void = {
    // 1 000 consecutive messages per sample, reported per message: every sample walks through
    // the message set (one iteration per sample would time the same first message after each
    // set-up, over and over).
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3))
    let updates = makeUpdates(count: 1024)

    /// Our decoder on `messages` (reusing its buffers).
    func wireDecode(_ name: String, _ messages: [[UInt8]], compactFastPath: Bool = true) {
        Benchmark(name) { benchmark in
            var decoder = MarketMessageDecoder(markets: MarketDecimalsTable([eth]))
            decoder.usesCompactFastPath = compactFastPath
            var message = MarketMessage()
            var index = 0
            // Warm the reusable buffers.
            messages[0].withUnsafeBytes { try? decoder.decode($0, into: &message) }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                messages[index & 1023].withUnsafeBytes { bytes in
                    do throws(WireError) { try decoder.decode(bytes, into: &message) } catch { fatalError("\(error)") }
                }
                blackHole(message.bids.count &+ message.asks.count)
                index &+= 1
            }
        }
    }

    /// Foundation's JSONDecoder on `messages`, with the same decimal-to-integer conversion.
    func foundationDecode(_ name: String, _ messages: [[UInt8]]) {
        Benchmark(name) { benchmark in
            let datas = messages.map { Data($0) }
            let decoder = JSONDecoder()
            var bids: [BookLevel] = []
            var asks: [BookLevel] = []
            bids.reserveCapacity(16)
            asks.reserveCapacity(16)
            var index = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let decoded = try decoder.decode(CodableMessage.self, from: datas[index & 1023])
                bids.removeAll(keepingCapacity: true)
                asks.removeAll(keepingCapacity: true)
                for level in decoded.order_book.bids {
                    bids.append(BookLevel(price: try eth.price(level.price), size: try eth.quantity(level.size)))
                }
                for level in decoded.order_book.asks {
                    asks.append(BookLevel(price: try eth.price(level.price), size: try eth.quantity(level.size)))
                }
                blackHole(bids.count &+ asks.count)
                index &+= 1
            }
        }
    }

    // What the harness itself costs per iteration (timer and malloc counters), for reading the
    // per-message figures below.
    Benchmark("harness: empty iteration") { benchmark in
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(index)
            index &+= 1
        }
    }

    let small = makeUpdates(count: 1024, levelsPerSide: 5)
    wireDecode("update/order_book decode (wire), typical update (1–6 levels)", makeTypicalUpdates(count: 1024))
    wireDecode(
        "update/order_book decode (wire, general decoder only), typical update (1–6 levels)", makeTypicalUpdates(count: 1024),
        compactFastPath: false)
    wireDecode("update/order_book decode (wire, general decoder only), 10 levels per side", updates, compactFastPath: false)
    wireDecode("update/order_book decode (wire), 10 levels per side", updates)
    foundationDecode("update/order_book decode (JSONDecoder), 10 levels per side", updates)
    wireDecode("update/order_book decode (wire), 5 levels per side", small)
    foundationDecode("update/order_book decode (JSONDecoder), 5 levels per side", small)

    /// How far along the hot path a benchmark goes.
    enum Stages { case decodeAndSync, throughQuote, throughDecision }

    /// The hot path on `updates` (1024 messages, nonces continuing from the snapshot's).
    func hotPath(_ name: String, _ updates: [[UInt8]], stages: Stages, compactFastPath: Bool = true) {
    Benchmark(name) { benchmark in
        var decoder = MarketMessageDecoder(markets: MarketDecimalsTable([eth]))
        decoder.usesCompactFastPath = compactFastPath
        var message = MarketMessage()
        var sync = OrderBookSynchronizer(marketID: 0, capacity: 128)
        var strategy = try VolOBIStrategy(
            configuration: VolOBIConfiguration(
                stepNanos: 100_000_000, volWindow: 600, obiWindow: 600, c1: 0.02, positionLimit: 1, minWarmUpSamples: 2),
            shaper: LadderShaper(levels: 1, minSpreadBps: 2, maxSpreadBps: 500))
        var targets = QuoteTargets(levels: 4)
        var manager = OrderManager(
            spec: eth, configuration: OrderManagerConfiguration(levelsPerSide: 1, toleranceBps: 2, fillLockoutMs: 500, actionLockoutMs: 0),
            ids: ClientOrderIDGenerator(start: 1_000_000))
        let risk = Risk(configuration: RiskConfiguration(maxPosition: nil))
        var recorder = DecisionRecorder(
            spec: eth, levelsPerSide: 1, capacity: 4096, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        var actions: [OrderAction] = []
        actions.reserveCapacity(8)
        let snapshot = makeSnapshot(nonce: 4_037_957_053, offset: 41_692_864)
        var step = 0

        /// One message through the whole path at engine time `now`.
        func process(_ bytes: [UInt8], now: Timestamp) {
            bytes.withUnsafeBytes { buffer in
                do throws(WireError) { try decoder.decode(buffer, into: &message) } catch { fatalError("\(error)") }
            }
            switch sync.apply(message) {
            case .snapshotApplied, .updateApplied: break
            default: fatalError("book out of sync in the benchmark")
            }
            if stages == .decodeAndSync { return }
            targets.removeAll()
            strategy.quote(
                QuoteInput(
                    book: sync.book, spec: eth, now: now, position: Quantity(lots: 300), maxPosition: Quantity(lots: 100_000),
                    orderSize: Quantity(lots: 100)), into: &targets)
            if stages == .throughQuote { return }
            actions.removeAll(keepingCapacity: true)
            manager.update(
                targets: targets, buySuppressed: nil, sellSuppressed: nil, at: now, position: Quantity(lots: 300),
                limit: Quantity(lots: 100_000), risk: risk, recorder: &recorder, actions: &actions)
            // The venue acknowledges at once, so the next decision compares against live orders.
            for action in actions {
                switch action {
                case .place(let request):
                    _ = manager.apply(.accepted(id: request.id, exchangeOrderID: nil, time: now), at: now)
                case .modify(let id, let price, let size):
                    _ = manager.apply(.modified(id: id, price: price, remaining: size, time: now), at: now)
                case .cancel(let id):
                    _ = manager.apply(.canceled(id: id, reason: .requested, time: now), at: now)
                case .cancelAll:
                    break
                }
            }
        }

        /// Feeds the 1024 updates after a fresh snapshot (the nonces restart with each pass).
        func pass(startingAt start: Int) {
            process(snapshot, now: Timestamp(nanoseconds: Int64(start) * 50_000_000))
            for index in 0..<1024 {
                process(updates[index], now: Timestamp(nanoseconds: Int64(start + index + 1) * 50_000_000))
            }
        }
        // Warm up past the model's warm-up.
        pass(startingAt: 0)
        step = 2048
        var index = 0
        process(snapshot, now: Timestamp(nanoseconds: Int64(step) * 50_000_000))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if index == 1024 {
                // A new pass: the snapshot resets the nonce chain (1 in 1025 messages is a 50-level snapshot).
                process(snapshot, now: Timestamp(nanoseconds: Int64(step) * 50_000_000))
                index = 0
            }
            process(updates[index], now: Timestamp(nanoseconds: Int64(step) * 50_000_000))
            blackHole(actions.count &+ targets.bids.count &+ sync.book.bids.count)
            index &+= 1
            step &+= 1
        }
    }
    }

    let typical = makeTypicalUpdates(count: 1024)
    let tenLevels = small
    let twentyLevels = updates
    for (label, messages) in [("typical update (1–6 levels)", typical), ("10 levels (5 per side)", tenLevels), ("20 levels (10 per side)", twentyLevels)] {
        hotPath("hot path: decode → book → vol+OBI quote → order decision, \(label)", messages, stages: .throughDecision)
        hotPath(
            "baseline: hot path with the general decoder (no compact fast path), \(label)", messages, stages: .throughDecision,
            compactFastPath: false)
        hotPath("hot path part: decode → book, \(label)", messages, stages: .decodeAndSync)
        hotPath("hot path part: decode → book → vol+OBI quote, \(label)", messages, stages: .throughQuote)
    }

}
