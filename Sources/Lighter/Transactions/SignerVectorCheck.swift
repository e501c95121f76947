import Foundation
import LighterCrypto

/// Checks reference vectors produced by the official Lighter signer against this module.
///
/// Each input line is one JSON object in the format of `lighter-signer.jsonl` (see
/// `/work/shared/vectors/README.md`): key pair, account, API key, nonce, chain id, and either a
/// transaction (`tx_type`, `tx_info`, `tx_hash`) or an auth token. A line passes when:
/// - the public key derived from `private_key` equals `public_key`;
/// - `tx_info` parses, matches the line's account, API key and nonce, and passes ``Transaction/validate()``;
/// - the message hash recomputed from the parsed fields equals `tx_hash`;
/// - the `tx_info` re-emitted from the parsed transaction with the official `Sig` equals the official
///   JSON byte for byte (`tx_info_raw` when the line has it, else the `tx_info` object re-serialised
///   compactly with its key order kept);
/// - the official signature verifies, and a signature made here verifies;
/// - the re-emitted `tx_info` parses back to the same transaction;
/// - for auth tokens: the token's message matches the line, and both the official and our signatures verify.
public enum SignerVectorCheck {
    /// One reason a vector line failed. Descriptions never contain the private key.
    public enum Failure: Hashable, Sendable, CustomStringConvertible {
        /// The line is not a JSON object with the expected fields.
        case malformedLine(String)
        /// `kind` is not one this check knows.
        case unknownKind(String)
        /// `private_key` could not be read as a private key.
        case invalidPrivateKey
        /// `public_key` could not be read as a public key.
        case invalidPublicKey
        /// The public key derived here differs from the official one.
        case publicKeyMismatch(expected: String, derived: String)
        /// `tx_type` does not match `kind`.
        case txTypeMismatch(expected: UInt8, found: UInt8)
        /// `tx_info` could not be parsed into a transaction.
        case unparsableTxInfo(String)
        /// A `tx_info` field disagrees with the line's `account_index`, `api_key_index` or `nonce`.
        case envelopeMismatch(field: String, expected: Int64, found: Int64)
        /// Validation here rejects a transaction the official signer accepted.
        case rejectedByValidation(TxValidationError)
        /// The hash recomputed here differs from `tx_hash`.
        case hashMismatch(expected: String, computed: String)
        /// The `tx_info` written here differs from the official JSON.
        case txInfoMismatch(expected: String, emitted: String)
        /// `tx_info` has no signature.
        case missingSignature
        /// The official signature does not verify here.
        case officialSignatureInvalid
        /// A signature made here does not verify.
        case ownSignatureInvalid
        /// The `tx_info` written here does not parse back to the same transaction.
        case roundTripMismatch(String)
        /// The auth token is malformed.
        case malformedAuthToken(String)
        /// The auth token's message differs from the line's deadline, account and API key.
        case authMessageMismatch(expected: String, found: String)

        /// A one-line explanation.
        public var description: String {
            switch self {
            case .malformedLine(let reason): "malformed line: \(reason)"
            case .unknownKind(let kind): "unknown kind \"\(kind)\""
            case .invalidPrivateKey: "private_key is not a valid private key"
            case .invalidPublicKey: "public_key is not a valid public key"
            case .publicKeyMismatch(let expected, let derived):
                "public key mismatch: expected \(expected), derived \(derived)"
            case .txTypeMismatch(let expected, let found): "tx_type mismatch: expected \(expected), found \(found)"
            case .unparsableTxInfo(let reason): "tx_info does not parse: \(reason)"
            case .envelopeMismatch(let field, let expected, let found):
                "tx_info \(field) is \(found), the line says \(expected)"
            case .rejectedByValidation(let error): "validation rejects a transaction the official signer accepted: \(error)"
            case .hashMismatch(let expected, let computed): "tx hash mismatch: expected \(expected), computed \(computed)"
            case .txInfoMismatch(let expected, let emitted): "tx_info mismatch:\n  official: \(expected)\n  emitted:  \(emitted)"
            case .missingSignature: "tx_info has no Sig"
            case .officialSignatureInvalid: "the official signature does not verify"
            case .ownSignatureInvalid: "our signature does not verify"
            case .roundTripMismatch(let reason): "our tx_info does not parse back to the same transaction: \(reason)"
            case .malformedAuthToken(let reason): "auth token: \(reason)"
            case .authMessageMismatch(let expected, let found):
                "auth token message mismatch: expected \(expected), found \(found)"
            }
        }
    }

    /// The outcome for one line.
    public struct LineResult: Hashable, Sendable {
        /// 1-based line number in the input.
        public let lineNumber: Int
        /// The line's `kind` (or `"?"` when unreadable).
        public let kind: String
        /// Everything that failed; empty when the line passed.
        public let failures: [Failure]

        /// Whether every check passed.
        public var passed: Bool { failures.isEmpty }
    }

    /// The outcome for a whole file.
    public struct Report: Hashable, Sendable {
        /// One result per non-empty line.
        public let results: [LineResult]

        /// Number of lines that passed.
        public var passedCount: Int { results.count(where: { $0.passed }) }
        /// Number of lines that failed.
        public var failedCount: Int { results.count(where: { !$0.passed }) }
        /// The lines that failed.
        public var failedLines: [LineResult] { results.filter { !$0.passed } }
    }

    /// The transaction type of each vector `kind`.
    public static let transactionKinds: [String: TransactionType] = [
        "create_order": .createOrder, "cancel_order": .cancelOrder, "cancel_all_orders": .cancelAllOrders,
        "modify_order": .modifyOrder, "update_leverage": .updateLeverage, "update_margin": .updateMargin,
        "create_grouped_orders": .createGroupedOrders, "withdraw": .withdraw, "transfer": .transfer,
    ]

    /// Checks every non-empty line of a JSON-lines file.
    ///
    /// - Throws: the file system error if the file cannot be read.
    public static func check(fileAt path: String) throws -> Report {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return check(jsonLines: text)
    }

    /// Checks every non-empty line of JSON-lines text.
    public static func check(jsonLines text: String) -> Report {
        var results: [LineResult] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            results.append(check(line: trimmed, lineNumber: offset + 1))
        }
        return Report(results: results)
    }

    /// Checks one vector line.
    public static func check(line: String, lineNumber: Int = 1) -> LineResult {
        let json: TxJSONValue
        do {
            json = try TxJSONValue.parse(line)
        } catch {
            return LineResult(lineNumber: lineNumber, kind: "?", failures: [.malformedLine(error.description)])
        }
        let kind = json["kind"]?.stringValue ?? "?"
        return LineResult(lineNumber: lineNumber, kind: kind, failures: failures(of: json, kind: kind))
    }

    private static func failures(of json: TxJSONValue, kind: String) -> [Failure] {
        guard json.members != nil else { return [.malformedLine("not a JSON object")] }
        guard let privateHex = json["private_key"]?.stringValue, let publicHex = json["public_key"]?.stringValue,
            let chainNumber = json["chain_id"]?.int64Value, let chainID = UInt32(exactly: chainNumber),
            let account = json["account_index"]?.int64Value, let apiKeyNumber = json["api_key_index"]?.int64Value,
            let apiKey = UInt8(exactly: apiKeyNumber)
        else {
            return [.malformedLine("missing or invalid private_key, public_key, chain_id, account_index or api_key_index")]
        }
        var failures: [Failure] = []
        guard let privateKey = try? PrivateKey(hex: privateHex) else { return [.invalidPrivateKey] }
        guard let publicKey = try? PublicKey(hex: publicHex) else { return [.invalidPublicKey] }
        let derived = privateKey.publicKey
        if derived != publicKey {
            failures.append(.publicKeyMismatch(expected: publicKey.hex, derived: derived.hex))
        }

        if kind == "auth_token" {
            failures += authTokenFailures(json, account: account, apiKey: apiKey, key: privateKey, publicKey: publicKey)
            return failures
        }
        guard let type = transactionKinds[kind] else { return failures + [.unknownKind(kind)] }
        guard let txInfoJSON = json["tx_info"], txInfoJSON.members != nil, let txTypeNumber = json["tx_type"]?.int64Value,
            let expectedHash = json["tx_hash"]?.stringValue
        else {
            return failures + [.malformedLine("missing tx_type, tx_info or tx_hash")]
        }
        if txTypeNumber != Int64(type.rawValue) {
            failures.append(.txTypeMismatch(expected: type.rawValue, found: UInt8(clamping: txTypeNumber)))
        }

        let parsed: ParsedTransaction
        do {
            parsed = try Transaction.parse(type: type, json: txInfoJSON, chain: LighterChain(rawValue: chainID))
        } catch {
            return failures + [.unparsableTxInfo(error.description)]
        }
        let transaction = parsed.transaction
        if transaction.envelope.accountIndex != account {
            failures.append(.envelopeMismatch(field: "account", expected: account, found: transaction.envelope.accountIndex))
        }
        if transaction.envelope.apiKeyIndex != apiKey {
            failures.append(
                .envelopeMismatch(
                    field: "ApiKeyIndex", expected: Int64(apiKey), found: Int64(transaction.envelope.apiKeyIndex)
                )
            )
        }
        if let nonce = json["nonce"]?.int64Value, nonce != transaction.envelope.nonce {
            failures.append(.envelopeMismatch(field: "Nonce", expected: nonce, found: transaction.envelope.nonce))
        }
        do {
            try transaction.validate()
        } catch {
            failures.append(.rejectedByValidation(error))
        }

        let message = transaction.messageHash
        let normalizedExpected = normalizedHex(expectedHash)
        if message.hex != normalizedExpected {
            failures.append(.hashMismatch(expected: normalizedExpected, computed: message.hex))
        }

        let officialJSON = json["tx_info_raw"]?.stringValue ?? txInfoJSON.goCompactText
        let emitted = transaction.txInfo(signature: parsed.signature)
        if emitted != officialJSON {
            failures.append(.txInfoMismatch(expected: officialJSON, emitted: emitted))
        }

        if let signature = parsed.signature {
            if !publicKey.isValidSignature(signature, for: message) {
                failures.append(.officialSignatureInvalid)
            }
        } else {
            failures.append(.missingSignature)
        }

        let ours = SignedTransaction(transaction: transaction, signature: privateKey.signature(for: message))
        if !ours.isSignatureValid(for: publicKey) {
            failures.append(.ownSignatureInvalid)
        }
        do {
            let reparsed = try Transaction.parse(
                txType: type.rawValue, txInfo: ours.txInfo, chain: LighterChain(rawValue: chainID)
            )
            if reparsed.transaction != transaction || reparsed.signature != ours.signature {
                failures.append(.roundTripMismatch("fields or signature differ"))
            }
        } catch {
            failures.append(.roundTripMismatch(error.description))
        }
        return failures
    }

    private static func authTokenFailures(
        _ json: TxJSONValue, account: Int64, apiKey: UInt8, key: PrivateKey, publicKey: PublicKey
    ) -> [Failure] {
        guard let tokenText = json["auth_token"]?.stringValue, let deadline = json["inputs"]?["deadline"]?.int64Value else {
            return [.malformedLine("missing auth_token or inputs.deadline")]
        }
        let token: AuthToken
        do {
            token = try AuthToken(parsing: tokenText)
        } catch {
            return [.malformedAuthToken(error.description)]
        }
        var failures: [Failure] = []
        let expectedMessage = AuthToken.message(deadline: deadline, accountIndex: account, apiKeyIndex: apiKey)
        if token.message != expectedMessage {
            failures.append(.authMessageMismatch(expected: expectedMessage, found: token.message))
        }
        if !token.isValid(for: publicKey) {
            failures.append(.officialSignatureInvalid)
        }
        let ours = AuthToken(deadline: deadline, accountIndex: account, apiKeyIndex: apiKey, signingWith: key)
        if !ours.isValid(for: publicKey) {
            failures.append(.ownSignatureInvalid)
        }
        if ours.message != token.message {
            failures.append(.authMessageMismatch(expected: token.message, found: ours.message))
        }
        return failures
    }

    private static func normalizedHex(_ text: String) -> String {
        let lower = text.lowercased()
        return lower.hasPrefix("0x") ? String(lower.dropFirst(2)) : lower
    }
}
