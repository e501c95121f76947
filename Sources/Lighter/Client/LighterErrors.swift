/// An error code from Lighter's `{code, message}` envelope (section E.4 of the protocol notes).
public struct LighterErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code.
    public let rawValue: Int

    /// The code `rawValue`.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// 21104 invalid nonce: refetch `nextNonce`.
    public static let invalidNonce = Self(rawValue: 21104)
    /// 21105 batch nonces not increasing.
    public static let batchNonceNotIncreasing = Self(rawValue: 21105)
    /// 21120 invalid signature (wrong chain id, hash layout or key).
    public static let invalidSignature = Self(rawValue: 21120)
    /// 21109 API key not found.
    public static let apiKeyNotFound = Self(rawValue: 21109)
    /// 21506 too many pending transactions.
    public static let tooManyPendingTransactions = Self(rawValue: 21506)
    /// 21600 the order is not active (cancel of a filled/cancelled order).
    public static let orderNotActive = Self(rawValue: 21600)
    /// 21709 order is not an active limit order.
    public static let orderNotActiveLimit = Self(rawValue: 21709)
    /// 21715 order is inactive.
    public static let orderInactive = Self(rawValue: 21715)
    /// 21706 invalid order base or quote amount (minimums).
    public static let invalidOrderAmount = Self(rawValue: 21706)
    /// 21728 client order index already exists.
    public static let clientOrderIndexExists = Self(rawValue: 21728)
    /// 21739 not enough margin.
    public static let notEnoughMargin = Self(rawValue: 21739)
    /// 23000 too many requests.
    public static let tooManyRequests = Self(rawValue: 23000)
    /// 29500 internal server error.
    public static let internalServerError = Self(rawValue: 29500)
    /// 29501 process timeout.
    public static let processTimeout = Self(rawValue: 29501)

    /// Whether the code means "slow down" (23000–23004, 21506, WS 30009/30010).
    public var isRateLimit: Bool {
        (23000...23004).contains(rawValue) || rawValue == 21506 || rawValue == 30009 || rawValue == 30010
    }

    /// Whether the code means the order was already gone (a cancel that can count as done).
    public var isOrderAlreadyInactive: Bool { [21600, 21709, 21715].contains(rawValue) }

    /// Whether the server may have executed the request anyway (check tx status before resending).
    public var isServerSideUncertain: Bool { rawValue == 29500 || rawValue == 29501 }

    public var description: String { "\(rawValue)" }
}

/// A business error Lighter returned in its `{code, message}` envelope.
public struct LighterAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status (0 over WebSocket).
    public let httpStatus: Int
    /// The Lighter error code.
    public let code: LighterErrorCode
    /// The server's message.
    public let message: String

    /// An API error.
    public init(httpStatus: Int, code: LighterErrorCode, message: String) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
    }

    /// Whether this is "invalid nonce" (by code, or by message text as the SDK checks).
    public var isInvalidNonce: Bool {
        code == .invalidNonce || message.lowercased().contains("invalid nonce")
    }

    /// Whether this asks the client to slow down (HTTP 429 or a rate-limit code).
    public var isRateLimited: Bool { httpStatus == 429 || code.isRateLimit }

    public var description: String { "Lighter error \(code.rawValue) (HTTP \(httpStatus)): \(message)" }
}

/// Why a Lighter client call failed.
public enum LighterClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error envelope.
    case api(LighterAPIError)
    /// The server answered with an HTTP error and no envelope.
    case http(status: Int, endpoint: String, body: String)
    /// No connection could be opened to the server (refused, unreachable, or the connect timeout
    /// passed); nothing was sent.
    case connectionFailed(url: String, String)
    /// The request could not be sent or the response not read.
    case transport(endpoint: String, String)
    /// The response did not have the expected shape.
    case decoding(endpoint: String, String)
    /// An argument was invalid before anything was sent.
    case invalidRequest(String)
    /// No reply arrived in time.
    case timeout(String)
    /// The client is not connected (WebSocket sends).
    case notConnected

    /// The API error, if this is one.
    public var apiError: LighterAPIError? {
        if case .api(let error) = self { return error }
        return nil
    }

    public var description: String {
        switch self {
        case .api(let error): error.description
        case .http(let status, let endpoint, let body): "\(endpoint): HTTP \(status): \(body)"
        case .connectionFailed(let url, let detail): "cannot connect to \(url): \(detail)"
        case .transport(let endpoint, let detail): "\(endpoint): \(detail)"
        case .decoding(let endpoint, let detail): "\(endpoint): unexpected response: \(detail)"
        case .invalidRequest(let detail): "invalid request: \(detail)"
        case .timeout(let detail): "timed out: \(detail)"
        case .notConnected: "not connected"
        }
    }
}
