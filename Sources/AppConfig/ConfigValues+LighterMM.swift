extension ConfigValues {
    /// Checks the rules that involve more than one key of `lighter-mm`'s configuration.
    ///
    /// - Throws: ``ConfigError`` naming the keys and where they were set.
    public func validateLighterMM() throws(ConfigError) {
        if string("sizing.mode") == "fixed", optionalDouble("sizing.order_size") == nil {
            throw ConfigError("sizing.order_size is required when sizing.mode = fixed (\(source("sizing.mode")))")
        }
        if let size = optionalDouble("sizing.order_size"), size <= 0, string("sizing.mode") == "fixed" {
            throw ConfigError("sizing.order_size = \(size) in \(source("sizing.order_size")): must be greater than 0")
        }
        let minSpread = double("strategy.min_spread_bps")
        let maxSpread = double("strategy.max_spread_bps")
        if minSpread > maxSpread {
            throw ConfigError(
                "strategy.min_spread_bps = \(format(minSpread)) in \(source("strategy.min_spread_bps")) is above strategy.max_spread_bps = \(format(maxSpread)) in \(source("strategy.max_spread_bps"))")
        }
        for pair in list("binance.symbols") {
            let parts = pair.split(separator: "=")
            if parts.count != 2 || parts.contains(where: { $0.isEmpty }) {
                throw ConfigError("binance.symbols entry '\(pair)' in \(source("binance.symbols")): must be LIGHTER=binancesymbol, e.g. ETH=ethusdt")
            }
        }
        let symbols = list("markets.symbols")
        if Set(symbols.map { $0.uppercased() }).count != symbols.count {
            throw ConfigError("markets.symbols in \(source("markets.symbols")) lists a market twice")
        }
        if string("exchange.network") != "sandbox" {
            for path in ["credentials.private_key", "credentials.account_index", "credentials.api_key_index"]
            where value(path) == .unset {
                let key = schema.key(path)!
                throw ConfigError(
                    "exchange.network = \(string("exchange.network") ?? "") in \(source("exchange.network")) needs \(path) (set \(key.environmentName))")
            }
        }
    }

    /// Whether credentials for live trading are present (all three keys set).
    public var hasCredentials: Bool {
        value("credentials.private_key") != .unset && value("credentials.account_index") != .unset
            && value("credentials.api_key_index") != .unset
    }
}
