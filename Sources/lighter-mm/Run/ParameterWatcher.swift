import Calibration
import Foundation
import MarketCore
import Trading

/// One market's calibration parameter file (`strategy.params_file`): loaded at start, reloaded
/// when its modification time (or size) changes.
///
/// The file is always applied to the *configured* settings, so a reload replaces the previous
/// file's values rather than stacking on them. ``check(at:)`` only looks at the file's attributes
/// unless it changed; the run loop calls it every ``checkIntervalNanoseconds``, never per message.
final class ParameterWatcher {
    /// What a check found.
    enum Outcome {
        /// The file did not change.
        case unchanged
        /// The file changed and is valid: the settings to use and what differs from `current`.
        case changed(StrategySettings, [ParameterChange])
        /// The file changed (or vanished) and was refused; the previous parameters stay.
        case refused(ParameterFileError)
    }

    /// How often the run loop looks at the file.
    static let checkIntervalNanoseconds: Int64 = 2_000_000_000

    /// The file.
    let path: String
    /// The market it must be for.
    let spec: MarketSpec
    /// `strategy.params_max_age_hours` (0 = no age check).
    let maxAgeHours: Double
    /// The settings from the configuration, before any file.
    let configured: StrategySettings
    private var lastSeen: (modified: Date?, size: Int?)

    /// A watcher of `path` (`{market}` in it is replaced by the market's symbol).
    init(path: String, spec: MarketSpec, maxAgeHours: Double, configured: StrategySettings) {
        self.path = path.replacingOccurrences(of: "{market}", with: spec.symbol)
        self.spec = spec
        self.maxAgeHours = maxAgeHours
        self.configured = configured
        self.lastSeen = (nil, nil)
    }

    /// Reads the file now: the configured settings with the file applied.
    func load(at now: Timestamp) throws(ParameterFileError) -> StrategySettings {
        lastSeen = Self.attributes(path)
        let file = try ParameterFile.load(path: path, market: spec.symbol, maxAgeHours: maxAgeHours, now: now)
        var settings = try file.settings(applyingTo: configured, spec: spec)
        settings.model = configured.model
        return settings
    }

    /// Looks at the file; when it changed, reads and checks it against `current`.
    func check(current: StrategySettings, at now: Timestamp) -> Outcome {
        let seen = Self.attributes(path)
        guard seen.modified != lastSeen.modified || seen.size != lastSeen.size else { return .unchanged }
        do {
            let settings = try load(at: now)
            return .changed(settings, ParameterFile.changes(from: current, to: settings))
        } catch {
            return .refused(error)
        }
    }

    private static func attributes(_ path: String) -> (modified: Date?, size: Int?) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.modificationDate] as? Date, (attributes?[.size] as? NSNumber)?.intValue)
    }
}
