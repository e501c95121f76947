import AppConfig
import Quant
import Trading

extension StrategySettings {
    /// Strategy settings from validated configuration.
    ///
    /// - Parameters:
    ///   - values: the loaded configuration.
    ///   - strategy: a command-line strategy name (`as`, `glft`, `volobi`, or `grid` = the
    ///     configured model with a ladder of at least three levels), overriding `strategy.model`.
    init(configuration values: ConfigValues, strategy: String? = nil) {
        self.init()
        let configuredModel = StrategySettings.Model(rawValue: values.string("strategy.model") ?? "volobi") ?? .volOBI
        var levels = values.int("strategy.levels")
        switch strategy {
        case "as": model = .avellanedaStoikov
        case "glft": model = .glft
        case "volobi": model = .volOBI
        case "grid":
            model = configuredModel
            levels = max(levels, 3)
        default: model = configuredModel
        }
        shaper = LadderShaper(
            levels: levels, spacing: values.double("strategy.level_spacing"),
            sizeMultiplier: values.double("strategy.level_size_multiplier"),
            minSpreadBps: values.double("strategy.min_spread_bps"), maxSpreadBps: values.double("strategy.max_spread_bps"))

        asGamma = values.double("as.gamma")
        asK = values.double("as.k")
        asHorizonSeconds = values.double("as.horizon_seconds")
        asSessionHorizon = values.string("as.horizon_mode") == "session"
        asVolHalfLifeSeconds = values.double("as.vol_half_life_seconds")
        asSampleNanos = Int64(values.int("as.sample_ms")) * 1_000_000
        asInventoryUnit = values.optionalDouble("as.inventory_unit")

        glftGamma = values.double("glft.gamma")
        glftXi = values.optionalDouble("glft.xi")
        glftA = values.double("glft.a")
        glftK = values.double("glft.k")
        glftVolHalfLifeSeconds = values.double("glft.vol_half_life_seconds")
        glftSampleNanos = Int64(values.int("glft.sample_ms")) * 1_000_000

        volOBI = VolOBIConfiguration(
            stepNanos: Int64(values.int("volobi.step_ms")) * 1_000_000,
            volWindow: values.int("volobi.vol_window"),
            obiWindow: values.int("volobi.obi_window"),
            lookingDepth: values.double("volobi.looking_depth"),
            volToHalfSpread: values.double("volobi.vol_to_half_spread"),
            c1: values.double("volobi.c1"),
            skew: values.double("volobi.skew"),
            positionLimit: 1,
            minHalfSpreadBps: values.double("volobi.min_half_spread_bps"),
            minWarmUpSamples: values.int("volobi.warmup_samples"),
            minWarmUpNanos: Int64(values.double("volobi.warmup_seconds") * 1e9),
            externalAlphaMaxAgeNanos: Int64(values.double("volobi.alpha_stale_seconds") * 1e9))
        externalAlphaWeight = values.double("binance.weight")
    }
}
