import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import MarketCore
import NIOCore
import Synchronization

/// Lighter's REST API (section A of the protocol notes) over async-http-client.
///
/// Every call checks the `{code, message}` envelope: a non-200 code (or HTTP status) becomes
/// ``LighterClientError/api(_:)`` with a ``LighterErrorCode``. Requests pass a sliding-window rate
/// limiter for the account tier first; a "too many requests" answer (HTTP 429 or code 23000)
/// raises an exponential backoff that blocks further requests for a while, and the request is
/// retried up to ``Configuration/rateLimitRetries`` times.
///
/// ```swift
/// let rest = LighterRESTClient(configuration: .init(baseURL: "https://mainnet.zklighter.elliot.ai"))
/// let specs = try await rest.marketSpecs()
/// let nonce = try await rest.nextNonce(accountIndex: 1234, apiKeyIndex: 3)
/// ```
public final class LighterRESTClient: Sendable {
    /// Client settings.
    public struct Configuration: Sendable {
        /// The REST base URL, without a trailing slash.
        public var baseURL: String
        /// Per-request timeout, seconds.
        public var timeout: Double
        /// How long opening a connection may take, seconds. A refused connection fails at once
        /// (no retries until the request timeout): ``LighterClientError/connectionFailed(url:_:)``.
        public var connectTimeout: Double
        /// How often a rate-limited request is retried after its backoff.
        public var rateLimitRetries: Int
        /// The account tier's request budget (`nil`: no client-side limit).
        public var rateLimiter: SlidingWindowRateLimiter?
        /// The 429 backoff.
        public var backoff: TooManyRequestsBackoff
        /// Largest response accepted, bytes.
        public var maxResponseSize: Int

        /// Settings for `baseURL` (standard-tier limits by default).
        public init(
            baseURL: String, timeout: Double = 10, connectTimeout: Double = 3, rateLimitRetries: Int = 3,
            rateLimiter: SlidingWindowRateLimiter? = .standard(), backoff: TooManyRequestsBackoff = TooManyRequestsBackoff(),
            maxResponseSize: Int = 16 << 20
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.timeout = timeout
            self.connectTimeout = min(connectTimeout, timeout)
            self.rateLimitRetries = rateLimitRetries
            self.rateLimiter = rateLimiter
            self.backoff = backoff
            self.maxResponseSize = maxResponseSize
        }
    }

    /// The settings.
    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let clock: any TradingClock
    private let logger: Logger
    private let limits: Mutex<Limits>

    private struct Limits {
        var window: SlidingWindowRateLimiter?
        var backoff: TooManyRequestsBackoff
        var rateLimitedResponses = 0
    }

    /// A client.
    ///
    /// - Parameters:
    ///   - configuration: base URL, timeouts and limits.
    ///   - httpClient: the HTTP client; by default a process-wide client (no shutdown needed) that
    ///     does not retry failed connection attempts and gives up connecting after
    ///     ``Configuration/connectTimeout``.
    ///   - clock: the time source for rate limiting.
    ///   - logger: where retries are logged (never tokens or keys).
    public init(
        configuration: Configuration, httpClient: HTTPClient? = nil, clock: any TradingClock = LiveClock(),
        logger: Logger = Logger(label: "lighter.rest")
    ) {
        self.configuration = configuration
        self.httpClient = httpClient ?? Self.sharedClient(connectTimeout: configuration.connectTimeout)
        self.clock = clock
        self.logger = logger
        self.limits = Mutex(Limits(window: configuration.rateLimiter, backoff: configuration.backoff))
    }

    /// Process-wide HTTP clients by connect timeout (milliseconds), never shut down (like
    /// `HTTPClient.shared`).
    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    /// The process-wide client for `connectTimeout` seconds: no retries of failed connection
    /// attempts (async-http-client would otherwise retry until the request's deadline).
    static func sharedClient(connectTimeout: Double) -> HTTPClient {
        let milliseconds = max(1, Int64((connectTimeout * 1000).rounded()))
        return clients.withLock { clients in
            if let client = clients[milliseconds] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout.connect = .milliseconds(milliseconds)
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[milliseconds] = client
            return client
        }
    }

    /// How many "too many requests" answers the client has seen.
    public var rateLimitedResponses: Int { limits.withLock { $0.rateLimitedResponses } }

    // MARK: Market data

    /// `GET /api/v1/orderBookDetails`: perp and spot markets with decimals and minimums.
    /// - Parameter marketID: one market, or `nil` for all.
    public func orderBookDetails(marketID: Int? = nil) async throws(LighterClientError) -> [LighterMarketDetails] {
        var query: [(String, String)] = []
        if let marketID { query.append(("market_id", String(marketID))) }
        let response: OrderBookDetailsResponse = try await get("/api/v1/orderBookDetails", query: query)
        return (response.orderBookDetails ?? []) + (response.spotOrderBookDetails ?? [])
    }

    /// The markets of `orderBookDetails` as MarketCore specs.
    public func marketSpecs(marketID: Int? = nil) async throws(LighterClientError) -> [MarketSpec] {
        let details = try await orderBookDetails(marketID: marketID)
        var specs: [MarketSpec] = []
        for market in details {
            do { specs.append(try market.marketSpec()) } catch {
                throw .decoding(endpoint: "/api/v1/orderBookDetails", "\(market.symbol): \(error)")
            }
        }
        return specs
    }

    /// `GET /api/v1/orderBooks`: market metadata.
    public func orderBooks(marketID: Int? = nil) async throws(LighterClientError) -> [LighterOrderBookInfo] {
        var query: [(String, String)] = []
        if let marketID { query.append(("market_id", String(marketID))) }
        let response: OrderBooksResponse = try await get("/api/v1/orderBooks", query: query)
        return response.orderBooks
    }

    /// `GET /api/v1/recentTrades` (weight 600).
    public func recentTrades(marketID: Int, limit: Int) async throws(LighterClientError) -> [LighterRESTTrade] {
        let response: TradesResponse = try await get(
            "/api/v1/recentTrades", query: [("market_id", String(marketID)), ("limit", String(limit))])
        return response.trades
    }

    // MARK: Account

    /// `GET /api/v1/account?by=index&value=…`: collateral, balance, positions.
    public func account(index: Int64) async throws(LighterClientError) -> LighterAccount {
        let response: AccountsResponse = try await get("/api/v1/account", query: [("by", "index"), ("value", String(index))])
        guard let account = response.accounts.first else {
            throw .decoding(endpoint: "/api/v1/account", "no account \(index) in the response")
        }
        return account
    }

    /// `GET /api/v1/accountActiveOrders` (auth token in the `authorization` header).
    /// - Parameter marketID: one market, or `nil` (255) for all.
    public func accountActiveOrders(accountIndex: Int64, marketID: Int? = nil, authToken: String) async throws(LighterClientError)
        -> [LighterOrder]
    {
        let response: OrdersResponse = try await get(
            "/api/v1/accountActiveOrders",
            query: [("account_index", String(accountIndex)), ("market_id", String(marketID ?? 255))], authToken: authToken)
        return response.orders
    }

    /// `GET /api/v1/nextNonce`: the next nonce to use with the key.
    public func nextNonce(accountIndex: Int64, apiKeyIndex: UInt8) async throws(LighterClientError) -> Int64 {
        let response: NextNonceResponse = try await get(
            "/api/v1/nextNonce", query: [("account_index", String(accountIndex)), ("api_key_index", String(apiKeyIndex))])
        return response.nonce
    }

    /// `GET /api/v1/apikeys`: registered public keys and nonces.
    /// - Parameter apiKeyIndex: one key, or `nil` (255) for all.
    public func apiKeys(accountIndex: Int64, apiKeyIndex: UInt8? = nil) async throws(LighterClientError) -> [LighterAPIKeyInfo] {
        let response: APIKeysResponse = try await get(
            "/api/v1/apikeys",
            query: [("account_index", String(accountIndex)), ("api_key_index", String(apiKeyIndex ?? 255))])
        return response.apiKeys
    }

    /// `GET /api/v1/tx?by=hash&value=…`: a transaction's status.
    public func transaction(hash: String) async throws(LighterClientError) -> LighterTxStatus {
        try await get("/api/v1/tx", query: [("by", "hash"), ("value", hash)])
    }

    // MARK: Transactions

    /// `POST /api/v1/sendTx` with form fields `tx_type` and `tx_info` (as the SDK sends them).
    public func sendTx(type: UInt8, txInfo: String, priceProtection: Bool? = nil) async throws(LighterClientError)
        -> LighterSendTxResponse
    {
        var form = [("tx_type", String(type)), ("tx_info", txInfo)]
        if let priceProtection { form.append(("price_protection", priceProtection ? "true" : "false")) }
        return try await post("/api/v1/sendTx", form: form)
    }

    /// Sends a signed transaction.
    public func sendTx(_ transaction: SignedTransaction) async throws(LighterClientError) -> LighterSendTxResponse {
        try await sendTx(type: transaction.type.rawValue, txInfo: transaction.txInfo)
    }

    /// `POST /api/v1/sendTxBatch`: `tx_types` as a JSON array, `tx_infos` as a JSON array of
    /// tx_info strings (at most 50).
    public func sendTxBatch(types: [UInt8], txInfos: [String]) async throws(LighterClientError) -> LighterSendTxBatchResponse {
        guard types.count == txInfos.count, !types.isEmpty, types.count <= 50 else {
            throw .invalidRequest("a batch needs 1…50 transactions and one type per tx_info (got \(types.count)/\(txInfos.count))")
        }
        let form = [("tx_types", BatchEncoding.typesJSON(types)), ("tx_infos", BatchEncoding.infosJSON(txInfos))]
        return try await post("/api/v1/sendTxBatch", form: form)
    }

    // MARK: Plumbing

    /// A GET of `path` decoded as `Response`.
    public func get<Response: Decodable>(
        _ path: String, query: [(String, String)] = [], authToken: String? = nil, as type: Response.Type = Response.self
    ) async throws(LighterClientError) -> Response {
        var url = configuration.baseURL + path
        if !query.isEmpty { url += "?" + FormEncoding.encode(query) }
        return try await perform(path: path, isPost: false, url: url, body: nil, authToken: authToken)
    }

    /// A form POST to `path` decoded as `Response`.
    public func post<Response: Decodable>(
        _ path: String, form: [(String, String)], authToken: String? = nil, as type: Response.Type = Response.self
    ) async throws(LighterClientError) -> Response {
        try await perform(
            path: path, isPost: true, url: configuration.baseURL + path, body: FormEncoding.encode(form), authToken: authToken)
    }

    private func perform<Response: Decodable>(
        path: String, isPost: Bool, url: String, body: String?, authToken: String?
    ) async throws(LighterClientError) -> Response {
        let weight = LighterEndpointWeight.weight(path: path)
        var attempt = 0
        while true {
            try await waitForLimits(weight: weight, path: path)
            let (status, bytes) = try await send(isPost: isPost, url: url, path: path, body: body, authToken: authToken)
            do {
                let value: Response = try Self.decodeChecked(status: status, body: bytes, path: path)
                limits.withLock { $0.backoff.recordSuccess(at: clock.now) }
                return value
            } catch let error {
                if case .api(let apiError) = error, apiError.isRateLimited {
                    let pause = limits.withLock { limits in
                        limits.rateLimitedResponses += 1
                        return limits.backoff.recordTooManyRequests(at: clock.now)
                    }
                    logger.warning(
                        "Lighter \(path): rate limited (code \(apiError.code.rawValue)); backing off \(Double(pause) / 1e9) s")
                    if attempt < configuration.rateLimitRetries {
                        attempt += 1
                        continue
                    }
                }
                throw error
            }
        }
    }

    private func waitForLimits(weight: Int, path: String) async throws(LighterClientError) {
        while true {
            let delay = limits.withLock { limits -> Int64 in
                let now = clock.now
                let backoffDelay = limits.backoff.delay(at: now)
                if backoffDelay > 0 { return backoffDelay }
                if var window = limits.window {
                    let windowDelay = window.delay(forWeight: weight, at: now)
                    if windowDelay > 0 {
                        limits.window = window
                        return windowDelay
                    }
                    window.record(weight: weight, at: now)
                    limits.window = window
                }
                return 0
            }
            if delay <= 0 { return }
            do { try await Task.sleep(nanoseconds: UInt64(delay)) } catch {
                throw .transport(endpoint: path, "cancelled while waiting for the rate limit")
            }
        }
    }

    private func send(isPost: Bool, url: String, path: String, body: String?, authToken: String?)
        async throws(LighterClientError) -> (Int, ByteBuffer)
    {
        var request = HTTPClientRequest(url: url)
        request.method = isPost ? .POST : .GET
        request.headers.add(name: "accept", value: "application/json")
        if let authToken { request.headers.add(name: "authorization", value: authToken) }
        if let body {
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        // A GET is retried once when the pooled connection it was given had just been closed by
        // the server (nothing was sent on it).
        var attempts = isPost ? 1 : 2
        while true {
            attempts -= 1
            do {
                let response = try await httpClient.execute(
                    request, timeout: .milliseconds(Int64(configuration.timeout * 1000)), logger: logger)
                let bytes = try await response.body.collect(upTo: configuration.maxResponseSize)
                return (Int(response.status.code), bytes)
            } catch {
                if let failure = Self.connectFailure(error, connectTimeout: configuration.connectTimeout) {
                    throw .connectionFailed(url: configuration.baseURL, failure)
                }
                if attempts > 0, Self.isClosedConnection(error) {
                    logger.debug("Lighter \(path): pooled connection was closed; retrying once")
                    continue
                }
                throw .transport(endpoint: path, "\(error)")
            }
        }
    }

    /// A readable reason if `error` means no connection could be opened, else nil.
    static func connectFailure(_ error: any Error, connectTimeout: Double) -> String? {
        if let client = error as? HTTPClientError, client == .connectTimeout {
            return "no connection within the connect timeout of \(connectTimeout) s"
        }
        let text = String(describing: error)
        if text.contains("connection refused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
            return "connection refused (is the server running and the port right?)"
        }
        if text.contains("NIOConnectionError") || text.contains("connectFailed") || text.contains("unreachable") {
            return text
        }
        return nil
    }

    /// Whether `error` means the connection was closed under the request before anything was sent.
    static func isClosedConnection(_ error: any Error) -> Bool {
        if let channel = error as? ChannelError, channel == .ioOnClosedChannel || channel == .alreadyClosed { return true }
        if let client = error as? HTTPClientError, client == .remoteConnectionClosed { return true }
        return false
    }

    /// Checks the envelope and decodes `Response`; exposed for the WebSocket client and tests.
    static func decodeChecked<Response: Decodable>(status: Int, body: ByteBuffer, path: String) throws(LighterClientError)
        -> Response
    {
        let data = Data(body.readableBytesView)
        let decoder = JSONDecoder()
        let envelope = try? decoder.decode(ErrorEnvelope.self, from: data)
        if let envelope, envelope.code != 200 || !(200..<300).contains(status) {
            throw .api(LighterAPIError(httpStatus: status, code: LighterErrorCode(rawValue: envelope.code), message: envelope.message ?? ""))
        }
        guard (200..<300).contains(status) else {
            if status == 429 {
                throw .api(LighterAPIError(httpStatus: 429, code: .tooManyRequests, message: "Too Many Requests"))
            }
            throw .http(status: status, endpoint: path, body: String(decoding: data.prefix(300), as: UTF8.self))
        }
        do { return try decoder.decode(Response.self, from: data) } catch {
            throw .decoding(endpoint: path, "\(error)")
        }
    }
}

/// `application/x-www-form-urlencoded` encoding (also used for query strings).
enum FormEncoding {
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The JSON array encodings `sendTxBatch` expects.
enum BatchEncoding {
    /// `[14,15]`.
    static func typesJSON(_ types: [UInt8]) -> String {
        "[" + types.map { String($0) }.joined(separator: ",") + "]"
    }

    /// A JSON array of JSON strings, each the tx_info text escaped.
    static func infosJSON(_ infos: [String]) -> String {
        "[" + infos.map { jsonString($0) }.joined(separator: ",") + "]"
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String { JSONText.quoted(text) }
}

/// JSON text written by hand (the client's batch bodies, the sandbox's replies).
public enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped
    /// (`\n`, `\r`, `\t`, else `\u00XX`); everything else as is.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
