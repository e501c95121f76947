/// One Binance USD-M futures symbol and the decimals its prices and sizes are read with.
///
/// The decimals must be at least the number of significant decimals Binance prints (its
/// `tickSize` / `stepSize` in `/fapi/v1/exchangeInfo`); more is harmless, fewer makes every
/// message a parse error.
public struct BinanceSymbol: Hashable, Sendable, CustomStringConvertible {
    /// The Binance symbol, upper case as in REST (`BTCUSDT`).
    public var symbol: String
    /// Decimals of the integer prices (BTCUSDT: 1).
    public var priceDecimals: Int
    /// Decimals of the integer sizes (BTCUSDT: 3).
    public var sizeDecimals: Int

    /// A symbol; `symbol` is upper-cased.
    public init(symbol: String, priceDecimals: Int, sizeDecimals: Int) {
        self.symbol = symbol.uppercased()
        self.priceDecimals = priceDecimals
        self.sizeDecimals = sizeDecimals
    }

    /// The lower-case name used in stream names (`btcusdt`).
    public var streamName: String { symbol.lowercased() }

    /// A short description for logs.
    public var description: String { "\(symbol) (price decimals \(priceDecimals), size decimals \(sizeDecimals))" }
}

/// Which Lighter markets have a Binance twin, and which one.
///
/// Markets without an entry have no Binance alpha; the strategy then uses Lighter's own OBI.
///
/// ```swift
/// let map = BinanceSymbolMap.default
/// map.binanceSymbol(forLighter: "BTC")   // BTCUSDT, 1 price and 3 size decimals
/// map.binanceSymbol(forLighter: "XYZ")   // nil
/// ```
public struct BinanceSymbolMap: Hashable, Sendable {
    /// Lighter symbol (upper case) → Binance symbol.
    public var entries: [String: BinanceSymbol]

    /// A map from explicit entries; keys are upper-cased.
    public init(_ entries: [String: BinanceSymbol]) {
        var normalized: [String: BinanceSymbol] = [:]
        for (key, value) in entries { normalized[key.uppercased()] = value }
        self.entries = normalized
    }

    /// BTC → BTCUSDT (0.1 tick, 0.001 step), ETH → ETHUSDT (0.01, 0.001),
    /// SOL → SOLUSDT (tick 0.01, step 0.01 per `exchangeInfo`; read with 3 price decimals so an
    /// earlier 0.001 tick also parses; Binance pads prices with zeros, which the parser accepts).
    public static let `default` = BinanceSymbolMap([
        "BTC": BinanceSymbol(symbol: "BTCUSDT", priceDecimals: 1, sizeDecimals: 3),
        "ETH": BinanceSymbol(symbol: "ETHUSDT", priceDecimals: 2, sizeDecimals: 3),
        "SOL": BinanceSymbol(symbol: "SOLUSDT", priceDecimals: 3, sizeDecimals: 2),
    ])

    /// The Binance twin of a Lighter market, or `nil` if it has none.
    public func binanceSymbol(forLighter lighterSymbol: String) -> BinanceSymbol? {
        entries[lighterSymbol.uppercased()]
    }

    /// Adds or replaces the twin of `lighterSymbol`.
    public mutating func set(_ symbol: BinanceSymbol, forLighter lighterSymbol: String) {
        entries[lighterSymbol.uppercased()] = symbol
    }
}

/// How the feed reads the book.
public enum BinanceBookMode: Hashable, Sendable {
    /// `<symbol>@depth@<speed>` diff events kept as a full local book with a REST snapshot
    /// (`/fapi/v1/depth?limit=snapshotLimit`) and U/u/pu sequencing.
    case diffDepth(updateSpeedMs: Int = 100, snapshotLimit: Int = 1000)
    /// `<symbol>@depth<levels>@<speed>`: each message replaces the book with the top `levels` (5, 10 or 20).
    case partialDepth(levels: Int = 20, updateSpeedMs: Int = 100)
    /// `<symbol>@bookTicker`: the book is only the best bid and ask.
    case bookTicker

    /// The stream name for `symbol` (lower case).
    public func streamName(for symbol: BinanceSymbol) -> String {
        switch self {
        case .diffDepth(let speed, _): "\(symbol.streamName)@depth\(Self.speedSuffix(speed))"
        case .partialDepth(let levels, let speed): "\(symbol.streamName)@depth\(levels)\(Self.speedSuffix(speed))"
        case .bookTicker: "\(symbol.streamName)@bookTicker"
        }
    }

    /// Binance's default speed (250 ms) has no suffix.
    private static func speedSuffix(_ milliseconds: Int) -> String {
        milliseconds == 250 ? "" : "@\(milliseconds)ms"
    }
}

/// Reconnect delays: exponential growth from ``initialDelay`` to ``maximumDelay`` with random
/// jitter, so many clients do not reconnect in step.
public struct ReconnectBackoff: Hashable, Sendable {
    /// Delay before the first retry, in seconds.
    public var initialDelay: Double
    /// Upper bound of the delay before jitter, in seconds.
    public var maximumDelay: Double
    /// Growth factor per failed attempt.
    public var multiplier: Double
    /// Fraction of the delay that is random: the delay is drawn from `[d·(1 − jitter), d]`.
    public var jitter: Double

    /// Backoff settings.
    public init(initialDelay: Double = 0.5, maximumDelay: Double = 30, multiplier: Double = 2, jitter: Double = 0.2) {
        self.initialDelay = max(0, initialDelay)
        self.maximumDelay = max(self.initialDelay, maximumDelay)
        self.multiplier = max(1, multiplier)
        self.jitter = min(max(0, jitter), 1)
    }

    /// The delay in seconds before retry number `attempt` (0 for the first retry).
    ///
    /// - Parameter unitRandom: a number in `[0, 1)`, drawn by the caller (tests pass fixed values).
    public func delay(attempt: Int, unitRandom: Double) -> Double {
        var base = initialDelay
        var step = 0
        while step < attempt && base < maximumDelay {
            base *= multiplier
            step += 1
        }
        base = min(maximumDelay, base)
        return base * (1 - jitter * min(max(0, unitRandom), 1))
    }

    /// The delay before retry `attempt` with system randomness.
    public func delay(attempt: Int) -> Double {
        delay(attempt: attempt, unitRandom: Double.random(in: 0..<1))
    }
}

/// Settings of a ``BinanceMarketDataFeed``.
public struct BinanceFeedConfiguration: Sendable {
    /// The REST base URL (`https://fapi.binance.com`); tests point it at a local server.
    public var restBaseURL: String
    /// The WebSocket base URL (`wss://fstream.binance.com`); `/stream?streams=…` is appended.
    public var webSocketBaseURL: String
    /// How the book is read.
    public var mode: BinanceBookMode
    /// Also subscribe to `<symbol>@bookTicker` next to a depth mode (delivered as events only).
    public var includeBookTicker: Bool
    /// Also subscribe to `<symbol>@aggTrade` on the same connection (delivered as
    /// ``BinanceFeedEvent/aggTrade(_:)`` events; the recorder writes them as trades).
    public var includeAggTrades: Bool
    /// Reconnect delays after a failure or an unplanned disconnect.
    public var backoff: ReconnectBackoff
    /// A connection older than this is closed and reopened on purpose, before Binance's 24 h cut, in seconds.
    public var plannedReconnectAfter: Double
    /// Delay before retrying a failed REST snapshot, in seconds (doubles up to `backoff.maximumDelay`).
    public var snapshotRetryDelay: Double
    /// REST request timeout, in seconds.
    public var restTimeout: Double
    /// Largest WebSocket message accepted, in bytes.
    public var maxMessageSize: Int
    /// Seconds between WebSocket pings we send (Binance pings us every 3 min; WSClient answers
    /// pings by itself); `nil` disables our own pings.
    public var pingInterval: Double?
    /// Most diff events buffered while waiting for a snapshot.
    public var eventBufferLimit: Int
    /// A connection that delivers no message for this many seconds is treated as dead and
    /// replaced (`nil` disables the check). Binance's depth streams of liquid symbols send
    /// every 100–250 ms, so the default leaves a wide margin.
    public var silenceTimeout: Double?

    /// Settings; the defaults are Binance production endpoints and a diff-depth book.
    public init(
        restBaseURL: String = "https://fapi.binance.com",
        webSocketBaseURL: String = "wss://fstream.binance.com",
        mode: BinanceBookMode = .diffDepth(),
        includeBookTicker: Bool = false,
        includeAggTrades: Bool = false,
        backoff: ReconnectBackoff = ReconnectBackoff(),
        plannedReconnectAfter: Double = 23 * 3600,
        snapshotRetryDelay: Double = 1,
        restTimeout: Double = 10,
        maxMessageSize: Int = 4 << 20,
        pingInterval: Double? = 60,
        eventBufferLimit: Int = 10_000,
        silenceTimeout: Double? = 30
    ) {
        self.restBaseURL = Self.trimmingSlash(restBaseURL)
        self.webSocketBaseURL = Self.trimmingSlash(webSocketBaseURL)
        self.mode = mode
        self.includeBookTicker = includeBookTicker
        self.includeAggTrades = includeAggTrades
        self.backoff = backoff
        self.plannedReconnectAfter = plannedReconnectAfter
        self.snapshotRetryDelay = snapshotRetryDelay
        self.restTimeout = restTimeout
        self.maxMessageSize = maxMessageSize
        self.pingInterval = pingInterval
        self.eventBufferLimit = eventBufferLimit
        self.silenceTimeout = silenceTimeout
    }

    /// The combined-stream URL for `symbol`: `<ws base>/stream?streams=a/b`.
    public func streamURL(for symbol: BinanceSymbol) -> String {
        var streams = [mode.streamName(for: symbol)]
        if includeBookTicker, mode != .bookTicker { streams.append(BinanceBookMode.bookTicker.streamName(for: symbol)) }
        if includeAggTrades { streams.append("\(symbol.streamName)@aggTrade") }
        return "\(webSocketBaseURL)/stream?streams=\(streams.joined(separator: "/"))"
    }

    /// The REST snapshot URL for `symbol`, or `nil` outside diff-depth mode.
    public func snapshotURL(for symbol: BinanceSymbol) -> String? {
        guard case .diffDepth(_, let limit) = mode else { return nil }
        return "\(restBaseURL)/fapi/v1/depth?symbol=\(symbol.symbol)&limit=\(limit)"
    }

    private static func trimmingSlash(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
