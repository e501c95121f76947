import Foundation
import Parquet

/// Finishes part files a collector left open (killed, crashed, power loss): every
/// `.part-….parquet.inprogress` under a dataset root is repaired with ``ParquetRecovery`` (its
/// complete row groups kept, a footer written) and renamed to `part-….parquet`; a file with no
/// complete row group, or one that is not a recorder file, is renamed to
/// `.part-….parquet.discarded`, which dataset readers never see.
public enum DatasetRepair {
    /// What happened to one in-progress file.
    public struct Outcome: Sendable, Hashable, CustomStringConvertible {
        /// What was done.
        public enum Action: Sendable, Hashable {
            /// Repaired and renamed to `finalPath`.
            case recovered(rows: Int64, rowGroups: Int, discardedBytes: Int64)
            /// Nothing recoverable; renamed to `finalPath` (`….discarded`).
            case discarded(reason: String)
            /// The file could not be handled (I/O error); left in place.
            case failed(reason: String)
        }

        /// The in-progress file.
        public var path: String
        /// Where it is now.
        public var finalPath: String
        /// What was done.
        public var action: Action

        /// A line for the terminal.
        public var description: String {
            switch action {
            case .recovered(let rows, let groups, let discarded):
                "recovered \(path) -> \(finalPath): \(rows) rows in \(groups) row group(s)"
                    + (discarded > 0 ? ", \(discarded) trailing bytes of an incomplete row group dropped" : "")
            case .discarded(let reason): "discarded \(path) -> \(finalPath): \(reason)"
            case .failed(let reason): "FAILED \(path): \(reason) (left in place)"
            }
        }
    }

    /// The `*.parquet.inprogress` files under `root`, sorted.
    public static func inProgressFiles(root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if DatasetLayout.finalName(ofInProgress: name) != nil { files.append("\(root)/\(relative)") }
        }
        return files.sorted()
    }

    /// Repairs every in-progress file under `root` (see the type's description).
    ///
    /// Run it only while no collector writes to `root` (the collector does it itself at start-up).
    public static func repair(root: String) -> [Outcome] {
        inProgressFiles(root: root).map(repair(file:))
    }

    /// Repairs one in-progress file.
    public static func repair(file path: String) -> Outcome {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let finalName = DatasetLayout.finalName(ofInProgress: name) ?? String(name.dropLast(DatasetLayout.inProgressSuffix.count))
        let target = "\(directory)/\(finalName)"
        let discarded = "\(directory)/.\(finalName)\(DatasetLayout.discardedSuffix)"
        let manager = FileManager.default
        func discard(_ reason: String) -> Outcome {
            do {
                if manager.fileExists(atPath: discarded) { try manager.removeItem(atPath: discarded) }
                try manager.moveItem(atPath: path, toPath: discarded)
                return Outcome(path: path, finalPath: discarded, action: .discarded(reason: reason))
            } catch {
                return Outcome(path: path, finalPath: path, action: .failed(reason: "\(reason); renaming failed: \(error)"))
            }
        }
        let report: ParquetRecovery.Report
        do {
            report = try ParquetRecovery.repair(path: path)
        } catch let error as ParquetError where error.kind == .corruptFile {
            return discard("not a recoverable recorder file (\(error.message))")
        } catch {
            return Outcome(path: path, finalPath: path, action: .failed(reason: "\(error)"))
        }
        guard report.rowCount > 0 else {
            return discard("no complete row group was written before the collector stopped")
        }
        do {
            guard !manager.fileExists(atPath: target) else {
                return Outcome(path: path, finalPath: path, action: .failed(reason: "\(target) exists already"))
            }
            try manager.moveItem(atPath: path, toPath: target)
        } catch {
            return Outcome(path: path, finalPath: path, action: .failed(reason: "renaming to \(target): \(error)"))
        }
        return Outcome(
            path: path, finalPath: target,
            action: .recovered(rows: report.rowCount, rowGroups: report.rowGroupCount, discardedBytes: report.discardedBytes))
    }
}
