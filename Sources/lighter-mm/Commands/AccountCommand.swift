import AppConfig
import ArgumentParser
import Foundation
import Lighter
import MarketCore

/// `lighter-mm account`: balances, positions and open orders of the configured account.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Show the account's balances, positions and open orders.",
        discussion: """
            Needs credentials.account_index; open orders also need credentials.private_key and \
            credentials.api_key_index (they are read with an auth token). --network is required: \
            mainnet, testnet, or sandbox with --url of a running `lighter-mm sandbox`. Reads only.
            """
    )

    @OptionGroup var networkOptions: AccountNetworkOptions
    @OptionGroup var configOptions: ConfigOptions

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func run() async throws {
        let values = try configOptions.load()
        let connection = try AccountConnection(options: networkOptions, values: values, needsPrivateKey: false)
        let actions = connection.actions()
        let specs: [MarketSpec]
        let snapshot: AccountSnapshot
        do {
            specs = try await actions.markets()
            snapshot = try await actions.snapshot(markets: specs)
        } catch {
            throw AccountCommandFailure("\(connection.label): \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(AccountJSON(snapshot, network: connection.network.rawValue))
            print(String(decoding: data, as: UTF8.self))
        } else {
            for line in Self.report(snapshot, specs: specs, label: connection.label) { print(line) }
        }
    }

    /// The readable report.
    static func report(_ snapshot: AccountSnapshot, specs: [MarketSpec], label: String) -> [String] {
        var lines = [label]
        lines += formatTable([
            ["collateral", (snapshot.collateral) + " USDC"],
            ["available balance", (snapshot.availableBalance ?? "-") + " USDC"],
            ["portfolio value", (snapshot.portfolioValue ?? "-") + " USDC"],
        ])
        lines.append("")
        let open = snapshot.openPositions
        if open.isEmpty {
            lines.append("positions: none")
        } else {
            lines.append("positions:")
            var rows = [["market", "side", "size", "entry", "unrealised PnL", "leverage", "margin"]]
            for position in open {
                let spec = specs.first { $0.marketID == position.marketID }
                let size = spec.map { $0.string(Quantity(lots: abs(position.size.lots))) } ?? position.sizeText
                rows.append([
                    position.symbol, position.size.lots > 0 ? "long" : "short", size, position.entryPrice ?? "-",
                    position.unrealizedPnL ?? "-", position.marginSetting?.leverage.map { String(format: "%.1f×", $0) } ?? "-",
                    marginModeName(position.marginSetting?.marginMode),
                ])
            }
            lines += formatTable(rows)
        }
        let settings = snapshot.positions.compactMap { position -> String? in
            guard let setting = position.marginSetting, let leverage = setting.leverage else { return nil }
            return "\(position.symbol) \(String(format: "%.1f×", leverage)) \(marginModeName(setting.marginMode))"
        }
        if !settings.isEmpty { lines.append("leverage by market: " + settings.joined(separator: ", ")) }
        lines.append("")
        if let orders = snapshot.openOrders {
            if orders.isEmpty {
                lines.append("open orders: none")
            } else {
                lines.append("open orders:")
                var rows = [["market", "side", "price", "size", "remaining", "client index", "order index", "type"]]
                for order in orders {
                    rows.append([
                        order.symbol ?? "#\(order.marketID)", order.side == .buy ? "buy" : "sell", order.price, order.initialSize,
                        order.remainingSize, String(order.clientOrderIndex), String(order.orderIndex),
                        [order.type, order.timeInForce].compactMap { $0 }.joined(separator: " "),
                    ])
                }
                lines += formatTable(rows)
            }
        } else {
            lines.append(
                "open orders: not shown (listing them needs an auth token: set credentials.private_key and credentials.api_key_index)")
        }
        return lines
    }
}

/// `cross`, `isolated` or `-`.
func marginModeName(_ mode: MarginMode?) -> String {
    switch mode {
    case .cross: "cross"
    case .isolated: "isolated"
    case nil: "-"
    }
}

/// The JSON of `account --json` (decimal values as the exchange's text, exact).
struct AccountJSON: Encodable {
    struct Position: Encodable {
        var marketID: Int
        var symbol: String
        var size: String
        var side: String
        var entryPrice: String?
        var unrealizedPnL: String?
        var realizedPnL: String?
        var positionValue: String?
        var liquidationPrice: String?
        var initialMarginFractionPercent: Double?
        var leverage: Double?
        var marginMode: String?
        var openOrderCount: Int

        enum CodingKeys: String, CodingKey {
            case symbol, size, side, leverage
            case marketID = "market_id"
            case entryPrice = "entry_price"
            case unrealizedPnL = "unrealized_pnl"
            case realizedPnL = "realized_pnl"
            case positionValue = "position_value"
            case liquidationPrice = "liquidation_price"
            case initialMarginFractionPercent = "initial_margin_fraction_percent"
            case marginMode = "margin_mode"
            case openOrderCount = "open_order_count"
        }
    }

    struct Order: Encodable {
        var marketID: Int
        var symbol: String?
        var side: String
        var price: String
        var size: String
        var remaining: String
        var clientOrderIndex: Int64
        var orderIndex: Int64
        var type: String?
        var timeInForce: String?
        var status: String

        enum CodingKeys: String, CodingKey {
            case symbol, side, price, size, remaining, type, status
            case marketID = "market_id"
            case clientOrderIndex = "client_order_index"
            case orderIndex = "order_index"
            case timeInForce = "time_in_force"
        }
    }

    var network: String
    var accountIndex: Int64
    var collateral: String
    var availableBalance: String?
    var portfolioValue: String?
    var positions: [Position]
    /// `null` when they could not be read (no private key).
    var openOrders: [Order]?

    enum CodingKeys: String, CodingKey {
        case network, collateral, positions
        case accountIndex = "account_index"
        case availableBalance = "available_balance"
        case portfolioValue = "portfolio_value"
        case openOrders = "open_orders"
    }

    init(_ snapshot: AccountSnapshot, network: String) {
        self.network = network
        accountIndex = snapshot.accountIndex
        collateral = snapshot.collateral
        availableBalance = snapshot.availableBalance
        portfolioValue = snapshot.portfolioValue
        positions = snapshot.positions.map { position in
            Position(
                marketID: position.marketID, symbol: position.symbol, size: position.sizeText,
                side: position.size.lots > 0 ? "long" : position.size.lots < 0 ? "short" : "flat",
                entryPrice: position.entryPrice, unrealizedPnL: position.unrealizedPnL, realizedPnL: position.realizedPnL,
                positionValue: position.positionValue, liquidationPrice: position.liquidationPrice,
                initialMarginFractionPercent: position.marginSetting?.initialMarginFractionPercent,
                leverage: position.marginSetting?.leverage,
                marginMode: position.marginSetting?.marginMode.map { marginModeName($0) },
                openOrderCount: position.openOrderCount)
        }
        openOrders = snapshot.openOrders?.map { order in
            Order(
                marketID: order.marketID, symbol: order.symbol, side: order.side == .buy ? "buy" : "sell", price: order.price,
                size: order.initialSize, remaining: order.remainingSize, clientOrderIndex: order.clientOrderIndex,
                orderIndex: order.orderIndex, type: order.type, timeInForce: order.timeInForce, status: order.status)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(network, forKey: .network)
        try container.encode(accountIndex, forKey: .accountIndex)
        try container.encode(collateral, forKey: .collateral)
        try container.encode(availableBalance, forKey: .availableBalance)
        try container.encode(portfolioValue, forKey: .portfolioValue)
        try container.encode(positions, forKey: .positions)
        try container.encode(openOrders, forKey: .openOrders)  // explicit null when unknown
    }
}
