// GARCH(1,1) fit on 86 400 simulated 1 s returns: Quant's GARCHModel against the Python `arch`
// package (scripts/garch_reference.py, fit time measured inside Python, excluding start-up).
//   swift run -c release --package-path Benchmarks GARCHBench   (GARCH_BENCH_RUNS=N, default 5)
// Both sides include the standard errors (ours: Hessian from differences of the analytic gradient;
// arch: cov_type="classic").
import Foundation
import Quant

/// Simulates GARCH(1,1) returns (normal, or unit-variance t with integer `nu`) in basis points.
func simulate(count: Int, nu: Int?, seed: UInt64) -> [Double] {
    var random = Xoshiro256StarStar(seed: seed)
    func normal() -> Double {
        let u1 = max(random.nextUnitDouble(), 1e-300)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * random.nextUnitDouble())
    }
    let (omega, alpha, beta) = (0.02, 0.06, 0.92)
    var variance = omega / (1 - alpha - beta)
    var returns: [Double] = []
    returns.reserveCapacity(count)
    for _ in 0..<count {
        var z = normal()
        if let nu {
            let chiSquare = (0..<nu).reduce(0.0) { sum, _ in let x = normal(); return sum + x * x }
            z = z / (chiSquare / Double(nu)).squareRoot() * (Double(nu - 2) / Double(nu)).squareRoot()
        }
        let e = variance.squareRoot() * z
        returns.append(e)
        variance = omega + alpha * e * e + beta * variance
    }
    return returns
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let python = ProcessInfo.processInfo.environment["LIGHTER_TEST_PYTHON"] ?? root.appendingPathComponent(".venv-ci/bin/python").path
let runs = Int(ProcessInfo.processInfo.environment["GARCH_BENCH_RUNS"] ?? "") ?? 5

// The third case fits Student-t errors to normal returns: ν runs to its upper bound (a boundary optimum).
for (label, nu, innovation, distribution) in [
    ("normal", nil as Int?, GARCHInnovation.normal, "normal"), ("t", 5, .studentT, "t"), ("t on normal returns", nil, .studentT, "t"),
] {
    let returns = simulate(count: 86_400, nu: nu, seed: 2026)
    let model = GARCHModel(mean: .zero, innovation: innovation)
    var swiftSeconds: [Double] = []
    var fit: GARCHFit?
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        fit = try model.fit(returns)
        swiftSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("garch-bench-\(label).txt")
    try (returns.map { String($0) }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    var archSeconds: [Double] = []
    var archLogLikelihood = Double.nan
    for _ in 0..<runs {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/garch_reference.py").path, file.path, "zero", distribution]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = object["seconds"] as? Double, let ll = object["loglikelihood"] as? Double
        else { fatalError("garch_reference.py gave no result (is arch==8.0.0 installed in \(python)?)") }
        archSeconds.append(seconds)
        archLogLikelihood = ll
    }
    let ours = median(swiftSeconds)
    let theirs = median(archSeconds)
    print(String(
        format: "GARCH(1,1) %@, n=86400: Swift median %.3f s (%d evals), arch 8.0.0 median %.3f s, ratio Swift/arch %.2f; logL Swift %.4f arch %.4f",
        label, ours, fit?.evaluations ?? 0, theirs, ours / theirs, fit?.logLikelihood ?? .nan, archLogLikelihood))
}
