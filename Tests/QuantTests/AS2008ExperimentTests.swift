import Testing
@testable import Quant

@Suite struct AS2008ExperimentTests {
    static let paths = 2000
    static let seed: UInt64 = 20080301

    /// Checks |ours − paper| ≤ 4·sqrt(SE_ours² + SE_paper²) + rounding, where rounding is half a
    /// unit of the paper's last printed digit.
    private func expectAgreement(
        _ name: String, ours: Double, ourStandardError: Double, paper: Double, paperStandardError: Double,
        rounding: Double
    ) {
        let combined = (ourStandardError * ourStandardError + paperStandardError * paperStandardError).squareRoot()
        let tolerance = 4 * combined + rounding
        #expect(abs(ours - paper) <= tolerance, "\(name): ours \(ours) vs paper \(paper), tolerance \(tolerance)")
    }

    private func compare(_ summary: AS2008Summary, with row: AS2008PublishedRow, paperPaths: Int, label: String) {
        let n = Double(paperPaths)
        let ours = Double(summary.paths)
        // Standard error of the paper's means: its std/√1000. Of its stds: our delta-method SE
        // (which carries the distribution's kurtosis) rescaled from our path count to 1000.
        let stdScale = (ours / n).squareRoot()
        expectAgreement(
            "\(label) profit", ours: summary.profitMean, ourStandardError: summary.profitMeanStandardError,
            paper: row.profit, paperStandardError: row.profitStd / n.squareRoot(), rounding: 0.05)
        expectAgreement(
            "\(label) std(profit)", ours: summary.profitStd, ourStandardError: summary.profitStdStandardError,
            paper: row.profitStd, paperStandardError: summary.profitStdStandardError * stdScale, rounding: 0.05)
        expectAgreement(
            "\(label) final q", ours: summary.finalInventoryMean, ourStandardError: summary.finalInventoryMeanStandardError,
            paper: row.finalInventory, paperStandardError: row.finalInventoryStd / n.squareRoot(), rounding: 0.005)
        expectAgreement(
            "\(label) std(final q)", ours: summary.finalInventoryStd, ourStandardError: summary.finalInventoryStdStandardError,
            paper: row.finalInventoryStd, paperStandardError: summary.finalInventoryStdStandardError * stdScale, rounding: 0.05)
    }

    @Test(arguments: AS2008Experiment.publishedTables)
    func agreesWithThePublishedTables(_ table: AS2008PublishedTable) throws {
        let result = try AS2008Experiment.run(gamma: table.gamma, paths: Self.paths, seed: Self.seed)
        #expect(result.published == table)
        compare(result.inventory, with: table.inventory, paperPaths: table.paths, label: "γ=\(table.gamma) inventory")
        compare(result.symmetric, with: table.symmetric, paperPaths: table.paths, label: "γ=\(table.gamma) symmetric")
        // The paper's "Average spread" is the continuous-time average γσ²T/2 + (2/γ)ln(1+γ/k);
        // ours averages over the quoting grid t = 0, dt, …, T−dt, i.e. uses T − dt·199/2 = 0.5025
        // instead of 0.5: larger by γσ²·0.0025 = 0.01·γ. With the paper's rounding to 2 decimals:
        let gridExcess = table.gamma * 4 * 0.0025
        #expect(abs(result.inventory.averageSpread - gridExcess - table.inventory.averageSpread) <= 0.005 + 1e-9)
        #expect(isClose(result.symmetric.averageSpread, result.inventory.averageSpread, tolerance: 1e-9))
    }

    @Test func averageSpreadMatchesHandComputation() throws {
        // γ = 0.1: (2/0.1)·ln(1 + 0.1/1.5) + 0.1·4·(1 − 0.005·199/2) = 1.2907704227514234 + 0.4·0.5025
        //        = 1.4917704227514234
        #expect(isClose(AS2008Experiment.averageInventorySpread(gamma: 0.1, parameters: .paper), 1.4917704227514234))
        // γ = 1: 2·ln(1 + 1/1.5) + 4·0.5025 = 1.0216512475319814 + 2.01 = 3.0316512475319814
        #expect(isClose(AS2008Experiment.averageInventorySpread(gamma: 1, parameters: .paper), 3.0316512475319814))
        let result = try AS2008Experiment.run(gamma: 0.1, paths: 10, seed: 1)
        #expect(isClose(result.inventory.averageSpread, 1.4917704227514234, tolerance: 1e-12))
        #expect(isClose(result.symmetric.averageSpread, 1.4917704227514234, tolerance: 1e-12))
    }

    @Test(arguments: [0.1, 0.01, 0.5, 1.0])
    func inventoryStrategyHasLessDispersion(gamma: Double) throws {
        let result = try AS2008Experiment.run(gamma: gamma, paths: 1000, seed: Self.seed)
        #expect(result.inventory.profitStd < result.symmetric.profitStd)
        #expect(result.inventory.finalInventoryStd < result.symmetric.finalInventoryStd)
    }

    @Test func sameSeedSameNumbersDifferentSeedDifferentNumbers() throws {
        let first = try AS2008Experiment.run(gamma: 0.1, paths: 200, seed: 7)
        let second = try AS2008Experiment.run(gamma: 0.1, paths: 200, seed: 7)
        let other = try AS2008Experiment.run(gamma: 0.1, paths: 200, seed: 8)
        #expect(first == second)
        #expect(first.inventory.profitMean != other.inventory.profitMean)
    }

    @Test func rejectsInvalidArguments() {
        #expect(throws: QuantParameterError.self) { try AS2008Experiment.run(gamma: 0, paths: 100, seed: 1) }
        #expect(throws: QuantParameterError.self) { try AS2008Experiment.run(gamma: 0.1, paths: 1, seed: 1) }
    }

    @Test func tableShowsOurRowsStandardErrorsAndThePaper() throws {
        let result = try AS2008Experiment.run(gamma: 0.1, paths: 50, seed: 3)
        let text = AS2008Report.table([result])
        #expect(text.contains("Strategy   Average spread         Profit    Std(Profit)        Final q   Std(Final q)"))
        #expect(text.contains("standard errors:"))
        #expect(text.contains("paper, Table 1 (1000 simulations):"))
        // Paper's inventory row, formatted to 2 decimals.
        #expect(text.contains("Inventory            1.49          65.00           6.60           0.08           2.90"))
        let noPaper = try AS2008Experiment.run(gamma: 0.5, paths: 50, seed: 3)
        #expect(!AS2008Report.table([noPaper]).contains("paper"))
    }

    @Test func fixedDecimalFormatting() {
        #expect(AS2008Report.fixed(-0.018, 2) == "-0.02")
        #expect(AS2008Report.fixed(62.935, 1) == "62.9")
        #expect(AS2008Report.fixed(1.005, 0) == "1")
        #expect(AS2008Report.fixed(0.25, 1) == "0.3")
        #expect(AS2008Report.fixed(-0.001, 2) == "0.00")
        #expect(AS2008Report.fixed(1234.5, 2) == "1234.50")
        #expect(AS2008Report.fixed(.nan, 2) == "nan")
    }
}
