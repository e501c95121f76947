/// Plain-text rendering of `AS2008Result`s in the layout of the paper's tables.
public enum AS2008Report {
    /// The tables for `results`: for each `γ`, our two rows (Strategy, Average spread, Profit,
    /// Std(Profit), Final q, Std(Final q)), their standard errors, and the paper's rows when it
    /// published a table for that `γ` with the same parameters.
    public static func table(_ results: [AS2008Result]) -> String {
        var lines: [String] = []
        if let first = results.first {
            let p = first.parameters
            lines.append(
                "Avellaneda & Stoikov (2008), section 3.3 Monte-Carlo: \(first.inventory.paths) paths, seed \(first.seed), "
                    + "s0=\(compact(p.initialMid)) T=\(compact(p.horizon)) sigma=\(compact(p.sigma)) dt=\(compact(p.timeStep)) "
                    + "q0=\(compact(p.initialInventory)) A=\(compact(p.intensityA)) k=\(compact(p.intensityK))")
        }
        let header = row(["Strategy", "Average spread", "Profit", "Std(Profit)", "Final q", "Std(Final q)"])
        for result in results {
            lines.append("")
            lines.append("gamma = \(compact(result.gamma))")
            lines.append(header)
            for summary in [result.inventory, result.symmetric] {
                lines.append(row([
                    name(summary.strategy), fixed(summary.averageSpread, 2), fixed(summary.profitMean, 2),
                    fixed(summary.profitStd, 2), fixed(summary.finalInventoryMean, 2), fixed(summary.finalInventoryStd, 2),
                ]))
            }
            lines.append("standard errors:")
            for summary in [result.inventory, result.symmetric] {
                lines.append(row([
                    name(summary.strategy), "", "±" + fixed(summary.profitMeanStandardError, 2),
                    "±" + fixed(summary.profitStdStandardError, 2), "±" + fixed(summary.finalInventoryMeanStandardError, 2),
                    "±" + fixed(summary.finalInventoryStdStandardError, 2),
                ]))
            }
            if let paper = result.published {
                lines.append("paper, Table \(paper.table) (\(paper.paths) simulations):")
                for (strategy, published) in [(AS2008Strategy.inventory, paper.inventory), (.symmetric, paper.symmetric)] {
                    lines.append(row([
                        name(strategy), fixed(published.averageSpread, 2), fixed(published.profit, 2),
                        fixed(published.profitStd, 2), fixed(published.finalInventory, 2), fixed(published.finalInventoryStd, 2),
                    ]))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func name(_ strategy: AS2008Strategy) -> String {
        switch strategy {
        case .inventory: return "Inventory"
        case .symmetric: return "Symmetric"
        }
    }

    /// Left-aligns the first column in 10 characters and right-aligns the others in 15.
    private static func row(_ cells: [String]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            let width = index == 0 ? 10 : 15
            let padding = String(repeating: " ", count: max(width - cell.count, 0))
            line += index == 0 ? cell + padding : padding + cell
        }
        return line
    }

    /// `value` rounded half away from zero to `decimals` places, e.g. `fixed(-0.018, 2) == "-0.02"`.
    /// Non-finite values print as `nan`/`inf`/`-inf`.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int64(scaled)
        let divisor = Int64(scale)
        let whole = units / divisor
        let fraction = units % divisor
        var text = "\(whole)"
        if decimals > 0 {
            let digits = "\(fraction)"
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }

    /// The shortest description of `value` (`100`, `0.005`).
    private static func compact(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
    }
}
