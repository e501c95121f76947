import Logging
import MarketCore

/// The account, key and nonce a transaction must be signed with.
public struct TransactionSlot: Hashable, Sendable {
    /// The account.
    public var accountIndex: Int64
    /// The API key.
    public var apiKeyIndex: UInt8
    /// The nonce to put in the transaction.
    public var nonce: Int64

    /// A slot.
    public init(accountIndex: Int64, apiKeyIndex: UInt8, nonce: Int64) {
        self.accountIndex = accountIndex
        self.apiKeyIndex = apiKeyIndex
        self.nonce = nonce
    }
}

/// A transaction ready to send: its type code and tx_info JSON.
public struct EncodedTransaction: Hashable, Sendable {
    /// The tx type code (e.g. 14 create order).
    public var type: UInt8
    /// The signed tx_info JSON text.
    public var txInfo: String

    /// An encoded transaction.
    public init(type: UInt8, txInfo: String) {
        self.type = type
        self.txInfo = txInfo
    }

    /// A signed transaction's type and tx_info.
    public init(_ signed: SignedTransaction) {
        self.init(type: signed.type.rawValue, txInfo: signed.txInfo)
    }
}

/// Sends transactions over REST with nonces managed per API key, the volume quota paced, and
/// "invalid nonce" answered by refetching the nonce, re-signing and resending.
///
/// Like the official SDK, a key is held from taking its nonce until the server has answered, so
/// transactions of one key reach the sequencer in nonce order; several keys send in parallel.
///
/// ```swift
/// let sender = TransactionSender(rest: rest, accountIndex: 1234, apiKeys: [3, 4])
/// let reply = try await sender.send { slot in
///     EncodedTransaction(try order.transaction(slot).signed(with: key))
/// }
/// ```
public actor TransactionSender {
    private let rest: LighterRESTClient
    /// The account the transactions belong to.
    public let accountIndex: Int64
    private var nonces: NonceManager
    private var pacer: VolumeQuotaPacer?
    private let clock: any TradingClock
    private let logger: Logger
    /// Keys with a send in flight, and the sends waiting for each (FIFO).
    private var busyKeys: Set<UInt8> = []
    private var waiters: [UInt8: [CheckedContinuation<Void, Never>]] = [:]

    /// A sender.
    ///
    /// - Parameters:
    ///   - rest: the REST client.
    ///   - accountIndex: the account.
    ///   - apiKeys: the API keys to rotate through.
    ///   - quotaPacer: volume-quota pacing (premium accounts), or `nil`.
    public init(
        rest: LighterRESTClient, accountIndex: Int64, apiKeys: [UInt8], quotaPacer: VolumeQuotaPacer? = nil,
        clock: any TradingClock = LiveClock(), logger: Logger = Logger(label: "lighter.tx")
    ) {
        self.rest = rest
        self.accountIndex = accountIndex
        self.nonces = NonceManager(apiKeys: apiKeys)
        self.pacer = quotaPacer
        self.clock = clock
        self.logger = logger
    }

    /// The volume quota the server last reported.
    public var quotaRemaining: Int64? { pacer?.remaining }

    /// Signs (with `build`) and sends one transaction.
    ///
    /// - Parameters:
    ///   - isCancel: cancels may use the quota reserve.
    ///   - nonceRetries: how often to refetch the nonce and resend after "invalid nonce".
    ///   - build: signs the transaction for the given slot.
    public func send(
        isCancel: Bool = false, nonceRetries: Int = 1,
        build: @Sendable (TransactionSlot) throws -> EncodedTransaction
    ) async throws(LighterClientError) -> LighterSendTxResponse {
        let key = nonces.nextKey()
        await acquire(key)
        defer { release(key) }
        var retries = 0
        while true {
            if nonces.needsFetch(key) {
                let next = try await rest.nextNonce(accountIndex: accountIndex, apiKeyIndex: key)
                try setNonce(next, key: key)
            }
            let nonce: Int64
            do { nonce = try nonces.take(for: key) } catch { throw .invalidRequest("\(error)") }
            let encoded: EncodedTransaction
            do { encoded = try build(TransactionSlot(accountIndex: accountIndex, apiKeyIndex: key, nonce: nonce)) } catch {
                nonces.release(nonce, for: key)
                throw .invalidRequest("could not build the transaction: \(error)")
            }
            let decision = try await paceQuota(transactions: 1, isCancel: isCancel)
            do {
                let response = try await rest.sendTx(type: encoded.type, txInfo: encoded.txInfo)
                pacer?.record(decision, transactions: 1, at: clock.now, quotaRemaining: response.volumeQuotaRemaining)
                return response
            } catch let error {
                if let apiError = error.apiError, apiError.isInvalidNonce {
                    nonces.invalidate(key)
                    if retries < nonceRetries {
                        retries += 1
                        logger.info("Lighter: invalid nonce \(nonce) for key \(key); refetching and resending")
                        continue
                    }
                } else {
                    nonces.release(nonce, for: key)
                }
                throw error
            }
        }
    }

    /// Signs and sends up to 50 transactions in one batch, all with one key and consecutive nonces.
    public func sendBatch(
        count: Int, isCancel: Bool = false, build: @Sendable (_ index: Int, TransactionSlot) throws -> EncodedTransaction
    ) async throws(LighterClientError) -> LighterSendTxBatchResponse {
        guard count > 0, count <= 50 else { throw .invalidRequest("a batch holds 1…50 transactions, not \(count)") }
        let key = nonces.nextKey()
        await acquire(key)
        defer { release(key) }
        if nonces.needsFetch(key) {
            try setNonce(try await rest.nextNonce(accountIndex: accountIndex, apiKeyIndex: key), key: key)
        }
        var encoded: [EncodedTransaction] = []
        for index in 0..<count {
            do {
                let nonce = try nonces.take(for: key)
                encoded.append(try build(index, TransactionSlot(accountIndex: accountIndex, apiKeyIndex: key, nonce: nonce)))
            } catch {
                nonces.invalidate(key)
                throw .invalidRequest("could not build transaction \(index): \(error)")
            }
        }
        let decision = try await paceQuota(transactions: count, isCancel: isCancel)
        do {
            let response = try await rest.sendTxBatch(types: encoded.map(\.type), txInfos: encoded.map(\.txInfo))
            pacer?.record(decision, transactions: count, at: clock.now, quotaRemaining: response.volumeQuotaRemaining)
            return response
        } catch let error {
            nonces.invalidate(key)  // which of the nonces were consumed is unknown
            throw error
        }
    }

    /// Waits until no other send holds `key`, then holds it.
    private func acquire(_ key: UInt8) async {
        if busyKeys.contains(key) {
            // Ownership is handed over by `release`, so the key stays busy.
            await withCheckedContinuation { waiters[key, default: []].append($0) }
        } else {
            busyKeys.insert(key)
        }
    }

    /// Hands `key` to the next waiting send, or frees it.
    private func release(_ key: UInt8) {
        if var queue = waiters[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[key] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busyKeys.remove(key)
        }
    }

    private func setNonce(_ nonce: Int64, key: UInt8) throws(LighterClientError) {
        do { try nonces.setNextNonce(nonce, for: key) } catch { throw .invalidRequest("\(error)") }
    }

    private func paceQuota(transactions: Int, isCancel: Bool) async throws(LighterClientError) -> VolumeQuotaPacer.Decision {
        guard let pacer else { return .sendPaid }
        while true {
            let now = clock.now
            let decision = pacer.decide(transactions: transactions, isCancel: isCancel, at: now)
            guard case .waitForFreeSlot(let until) = decision else { return decision }
            logger.info("Lighter: volume quota at reserve; waiting \(Double(until - now) / 1e9) s for the free slot")
            do { try await Task.sleep(nanoseconds: UInt64(max(1_000_000, until - now))) } catch {
                throw .timeout("cancelled while waiting for the volume quota")
            }
        }
    }
}
