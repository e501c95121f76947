import Foundation
@testable import Quant
import Testing

/// GARCH(1,1) maximum likelihood against the Python `arch` package (8.0.0, `scripts/garch_reference.py`),
/// on returns simulated here with known parameters.
@Suite struct GARCHTests {
    /// Simulates `count` GARCH(1,1) returns with standard normal (`nu == nil`) or unit-variance
    /// Student-t innovations (integer `nu`), deterministically from `seed`.
    static func simulate(count: Int, mu: Double, omega: Double, alpha: Double, beta: Double, nu: Int?, seed: UInt64) -> [Double] {
        var random = Xoshiro256StarStar(seed: seed)
        func normal() -> Double {
            let u1 = max(random.nextUnitDouble(), 1e-300)
            let u2 = random.nextUnitDouble()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        var variance = omega / (1 - alpha - beta)
        var returns: [Double] = []
        for _ in 0..<count {
            var z = normal()
            if let nu {
                let chiSquare = (0..<nu).reduce(0.0) { sum, _ in let x = normal(); return sum + x * x }
                z = z / (chiSquare / Double(nu)).squareRoot() * (Double(nu - 2) / Double(nu)).squareRoot()
            }
            let e = variance.squareRoot() * z
            returns.append(mu + e)
            variance = omega + alpha * e * e + beta * variance
        }
        return returns
    }

    @Test func normalConstantMeanMatchesArch() throws {
        let returns = Self.simulate(count: 4_000, mu: 0.01, omega: 0.05, alpha: 0.08, beta: 0.9, nu: nil, seed: 7)
        let model = GARCHModel(mean: .constant, innovation: .normal)
        let fit = try model.fit(returns)
        let reference = try ArchReference.fit(returns, mean: "constant", distribution: "normal")
        try ArchReference.compare(fit, reference, model: model, returns: returns)
    }

    @Test func studentTZeroMeanMatchesArch() throws {
        let returns = Self.simulate(count: 4_000, mu: 0, omega: 0.02, alpha: 0.1, beta: 0.85, nu: 5, seed: 11)
        let model = GARCHModel(mean: .zero, innovation: .studentT)
        let fit = try model.fit(returns)
        let reference = try ArchReference.fit(returns, mean: "zero", distribution: "t")
        try ArchReference.compare(fit, reference, model: model, returns: returns)
        // The estimate lands near the simulated truth (ν = 5), not just near arch.
        let nu = try #require(fit.parameters.nu)
        #expect(nu > 3.5 && nu < 8, "nu \(nu)")
    }

    @Test func tinyScaleReturnsFitLikeUnitScale() throws {
        // Per-second returns are ~1e-4: the fit must be scale-equivariant (ω scales by c², log L shifts by −n log c).
        let unit = Self.simulate(count: 2_000, mu: 0, omega: 0.05, alpha: 0.08, beta: 0.9, nu: nil, seed: 3)
        let c = 1e-4
        let model = GARCHModel(mean: .zero, innovation: .normal)
        let a = try model.fit(unit)
        let b = try model.fit(unit.map { $0 * c })
        #expect(abs(b.parameters.omega / (c * c) - a.parameters.omega) <= 1e-6 * a.parameters.omega)
        #expect(abs(b.parameters.alpha - a.parameters.alpha) <= 1e-7)
        #expect(abs(b.logLikelihood - (a.logLikelihood - 2_000 * log(c))) <= 1e-6 * abs(b.logLikelihood))
    }

    @Test func unitConversionsByHand() throws {
        let returns = Self.simulate(count: 1_000, mu: 0, omega: 0.05, alpha: 0.08, beta: 0.9, nu: nil, seed: 5)
        let fit = try GARCHModel().fit(returns, intervalSeconds: 4)
        #expect(abs(fit.perSecondVolatility - (fit.nextVariance / 4).squareRoot()) <= 1e-15)
        #expect(abs(fit.perDayVolatility - (fit.nextVariance * 21_600).squareRoot()) <= 1e-12)
        let p = fit.parameters
        let forecast = fit.forecastVariance(horizon: 3)
        #expect(forecast.count == 3)
        #expect(abs(forecast[2] - (p.omega + (p.alpha + p.beta) * (p.omega + (p.alpha + p.beta) * fit.nextVariance))) <= 1e-12)
    }

    @Test func digammaAtKnownValues() {
        // ψ(1) = −γ, ψ(½) = −γ − 2 ln 2, ψ(10) = H₉ − γ (Euler–Mascheroni γ = 0.5772156649015329).
        let gamma = 0.5772156649015329
        #expect(abs(digamma(1) + gamma) <= 1e-13)
        #expect(abs(digamma(0.5) - (-gamma - 2 * log(2.0))) <= 1e-13)
        let harmonic9 = (1...9).reduce(0.0) { $0 + 1 / Double($1) }
        #expect(abs(digamma(10) - (harmonic9 - gamma)) <= 1e-13)
    }

    /// The one-pass likelihood equals the plain per-observation sum (`GARCHModel.logLikelihood`), and its
    /// analytic gradient equals central differences of that plain sum, for all four specifications.
    @Test func analyticGradientMatchesFiniteDifferences() throws {
        let returns = Self.simulate(count: 3_000, mu: 0.02, omega: 0.05, alpha: 0.08, beta: 0.9, nu: 6, seed: 13)
        for mean in [GARCHMean.zero, .constant] {
            for innovation in [GARCHInnovation.normal, .studentT] {
                let model = GARCHModel(mean: mean, innovation: innovation)
                let b = model.backcast(returns)
                let likelihood = GARCHLikelihood(
                    returns: returns, backcast: b, hasMean: mean == .constant, hasNu: innovation == .studentT)
                var x: [Double] = mean == .constant ? [0.015] : []
                x += [0.06, 0.07, 0.88]
                if innovation == .studentT { x.append(5.5) }
                func reference(_ x: [Double]) -> Double {
                    let offset = mean == .constant ? 1 : 0
                    return model.logLikelihood(returns, parameters: GARCHParameters(
                        mu: mean == .constant ? x[0] : 0, omega: x[offset], alpha: x[offset + 1], beta: x[offset + 2],
                        nu: innovation == .studentT ? x[offset + 3] : nil), backcast: b)
                }
                var gradient: [Double] = []
                let value = likelihood.logLikelihood(x, gradient: &gradient)
                let plain = reference(x)
                #expect(abs(value - plain) <= 1e-11 * abs(plain), "\(mean) \(innovation): \(value) vs \(plain)")
                for i in x.indices {
                    let step = 1e-6 * max(abs(x[i]), 1e-2)
                    var up = x, down = x
                    up[i] += step
                    down[i] -= step
                    let numeric = (reference(up) - reference(down)) / (2 * step)
                    #expect(abs(gradient[i] - numeric) <= 1e-5 * max(abs(numeric), 1),
                            "\(mean) \(innovation) ∂/∂x[\(i)]: analytic \(gradient[i]) vs numeric \(numeric)")
                }
            }
        }
    }

    @Test func bfgsFindsTheRosenbrockMinimum() {
        // Rosenbrock: minimum 0 at (1, 1), gradient (−2(1−x) − 400x(y−x²), 200(y−x²)).
        let result = BFGSMinimizer().minimize({ p, g in
            let x = p[0], y = p[1]
            g[0] = -2 * (1 - x) - 400 * x * (y - x * x)
            g[1] = 200 * (y - x * x)
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        }, start: [-1.2, 1])
        #expect(result.converged)
        #expect(abs(result.point[0] - 1) <= 1e-7 && abs(result.point[1] - 1) <= 1e-7, "\(result.point)")
    }

    @Test func fallsBackToRollingStdWhenTooShortOrConstant() {
        let short = [0.01, -0.02, 0.015, -0.005, 0.0]
        let estimate = VolatilityEstimate.estimate(short, intervalSeconds: 1, window: 100)
        #expect(estimate.isFallback)
        // Population std of the five values, by hand: mean 0, squares sum 7.5e-4 → sqrt(1.5e-4).
        #expect(abs(estimate.perSecondVolatility - 1.5e-4.squareRoot()) <= 1e-15)
        if case .rollingStandardDeviation(_, _, _, let reason) = estimate {
            #expect(reason.contains("5 returns"), "\(reason)")
        }
        let flat = [Double](repeating: 0.001, count: 500)
        #expect(throws: GARCHFitError.self) { try GARCHModel(mean: .constant).fit(flat) }
        #expect(throws: GARCHFitError.self) { try GARCHModel().fit(short + [.nan] + flat) }
    }
}

/// Runs `scripts/garch_reference.py` with the project's Python (`<root>/.venv-ci/bin/python`,
/// overridden by `LIGHTER_TEST_PYTHON`).
enum ArchReference {
    struct Output: Decodable {
        let mu: Double
        let omega: Double
        let alpha: Double
        let beta: Double
        let nu: Double?
        let se: [String: Double?]
        let loglikelihood: Double
        let forecast: [Double]
        let convergence: Int
        let seconds: Double
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var packageRoot: URL? {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let fm = FileManager.default
            if fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: url.appendingPathComponent("Sources").path) { return url }
            url.deleteLastPathComponent()
        }
        return nil
    }

    static func fit(_ returns: [Double], mean: String, distribution: String) throws -> Output {
        let root = try #require(packageRoot, "package root not found from \(#filePath)")
        let python = ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"]
            ?? root.appendingPathComponent(".venv-ci/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("Python not found at \(python): run scripts/test (it creates .venv-ci from .ci/requirements.txt, which pins arch==8.0.0) or set LIGHTER_TEST_PYTHON")
            throw Failure(description: "python missing")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("garch-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let text = returns.map { String($0) }.joined(separator: "\n") + "\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/garch_reference.py").path, file.path, mean, distribution, "5"]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("garch_reference.py exited with \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self)) (is arch==8.0.0 installed? run scripts/test)")
            throw Failure(description: "reference failed")
        }
        return try JSONDecoder().decode(Output.self, from: data)
    }

    /// Log-likelihood within 1e-6 relative; α, β within 1e-3; ω, μ, ν within 1e-3 relative
    /// to their scale; forecasts within 1e-3 relative; standard errors within 5 % (both numerical).
    static func compare(_ fit: GARCHFit, _ reference: Output, model: GARCHModel, returns: [Double]) throws {
        #expect(reference.convergence == 0)
        let p = fit.parameters
        // Never worse than arch's optimum, and the same optimum.
        let archParameters = GARCHParameters(mu: reference.mu, omega: reference.omega, alpha: reference.alpha, beta: reference.beta, nu: reference.nu)
        let ourLikelihoodAtArch = model.logLikelihood(returns, parameters: archParameters)
        #expect(abs(ourLikelihoodAtArch - reference.loglikelihood) <= 1e-9 * abs(reference.loglikelihood),
                "same likelihood function: ours at arch's estimate \(ourLikelihoodAtArch) vs arch \(reference.loglikelihood)")
        #expect(abs(fit.logLikelihood - reference.loglikelihood) <= 1e-6 * abs(reference.loglikelihood),
                "log L \(fit.logLikelihood) vs arch \(reference.loglikelihood)")
        #expect(abs(p.alpha - reference.alpha) <= 1e-3, "alpha \(p.alpha) vs \(reference.alpha)")
        #expect(abs(p.beta - reference.beta) <= 1e-3, "beta \(p.beta) vs \(reference.beta)")
        #expect(abs(p.omega - reference.omega) <= 1e-3 * reference.omega,
                "omega \(p.omega) vs \(reference.omega)")
        let scale = fit.unconditionalVariance.squareRoot()
        #expect(abs(p.mu - reference.mu) <= 1e-3 * scale, "mu \(p.mu) vs \(reference.mu)")
        if let nu = reference.nu {
            let ours = try #require(p.nu)
            #expect(abs(ours - nu) <= 1e-3 * nu, "nu \(ours) vs \(nu)")
        }
        for (h, value) in reference.forecast.enumerated() {
            #expect(abs(fit.forecastVariance(horizon: 5)[h] - value) <= 1e-3 * value, "forecast h=\(h + 1)")
        }
        let errors = try #require(fit.standardErrors)
        for (name, ours) in [("omega", errors.omega), ("alpha[1]", errors.alpha), ("beta[1]", errors.beta)] {
            let theirs = try #require(reference.se[name] ?? nil)
            #expect(abs(ours - theirs) <= 0.05 * theirs, "standard error \(name): \(ours) vs \(theirs)")
        }
    }
}
