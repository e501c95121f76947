import Binance
import Testing

/// Stream names, URLs, symbol mapping and reconnect delays.
@Suite struct BinanceConfigurationTests {
    static let btc = BinanceSymbol(symbol: "btcusdt", priceDecimals: 1, sizeDecimals: 3)

    @Test func streamAndSnapshotURLs() {
        let diff = BinanceFeedConfiguration(mode: .diffDepth(updateSpeedMs: 100, snapshotLimit: 1000), includeBookTicker: true)
        #expect(diff.streamURL(for: Self.btc) == "wss://fstream.binance.com/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker")
        #expect(diff.snapshotURL(for: Self.btc) == "https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000")
        let partial = BinanceFeedConfiguration(
            restBaseURL: "http://127.0.0.1:9/", webSocketBaseURL: "ws://127.0.0.1:9/", mode: .partialDepth(levels: 20, updateSpeedMs: 100))
        #expect(partial.streamURL(for: Self.btc) == "ws://127.0.0.1:9/stream?streams=btcusdt@depth20@100ms")
        #expect(partial.snapshotURL(for: Self.btc) == nil)
        #expect(BinanceBookMode.diffDepth(updateSpeedMs: 250).streamName(for: Self.btc) == "btcusdt@depth")
        #expect(BinanceBookMode.bookTicker.streamName(for: Self.btc) == "btcusdt@bookTicker")
    }

    @Test func lighterSymbolsMapToBinanceTwins() {
        var map = BinanceSymbolMap.default
        #expect(map.binanceSymbol(forLighter: "BTC") == BinanceSymbol(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3))
        #expect(map.binanceSymbol(forLighter: "eth") == BinanceSymbol(symbol: "ETHUSDT", priceDecimals: 2, sizeDecimals: 3))
        #expect(map.binanceSymbol(forLighter: "LIGHTERONLY") == nil)
        map.set(BinanceSymbol(symbol: "dogeusdt", priceDecimals: 6, sizeDecimals: 0), forLighter: "doge")
        #expect(map.binanceSymbol(forLighter: "DOGE")?.symbol == "DOGEUSDT")
        #expect(map.binanceSymbol(forLighter: "DOGE")?.streamName == "dogeusdt")
    }

    @Test func backoffGrowsToTheCapWithBoundedJitter() {
        let backoff = ReconnectBackoff(initialDelay: 0.5, maximumDelay: 30, multiplier: 2, jitter: 0.2)
        // No jitter drawn: 0.5, 1, 2, 4, 8, 16, 30 (capped), 30.
        let plain = (0..<8).map { backoff.delay(attempt: $0, unitRandom: 0) }
        #expect(plain == [0.5, 1, 2, 4, 8, 16, 30, 30])
        // Largest jitter removes 20 %.
        #expect(abs(backoff.delay(attempt: 3, unitRandom: 1) - 3.2) < 1e-12)
        for attempt in 0..<20 {
            let delay = backoff.delay(attempt: attempt)
            let base = plain[min(attempt, 7)]
            #expect(delay <= base && delay >= base * 0.8)
        }
        #expect(backoff.delay(attempt: 1_000_000, unitRandom: 0) == 30)
    }
}

/// Markets without a Binance twin get no feed.
@Suite struct BinanceFeedFactoryTests {
    @Test func feedExistsOnlyForMappedLighterMarkets() {
        #expect(BinanceMarketDataFeed(lighterSymbol: "ETH")?.symbol.symbol == "ETHUSDT")
        #expect(BinanceMarketDataFeed(lighterSymbol: "NOTONBINANCE") == nil)
        let custom = BinanceSymbolMap(["PEPE": BinanceSymbol(symbol: "1000PEPEUSDT", priceDecimals: 7, sizeDecimals: 0)])
        #expect(BinanceMarketDataFeed(lighterSymbol: "pepe", symbols: custom)?.symbol.streamName == "1000pepeusdt")
        #expect(BinanceMarketDataFeed(lighterSymbol: "BTC", symbols: custom) == nil)
    }
}
