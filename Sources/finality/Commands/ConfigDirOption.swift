import ArgumentParser
import FinalityEngine

/// `--config-dir DIR`: where the node's signature-provider keys are read (NodeKeys.swift).
/// One option group for every command that reads them (list, show, report, reset, delete,
/// repair and the interface), so `--help` says the same thing everywhere.
struct ConfigDirOption: ParsableArguments {
    static let help = "nodeos's config dir: the finalizer keys of its config.ini signature-provider lines (public parts only) say whether the node votes with each key: inactive entries, configured keys without an entry, what a reset, delete or repair means for the node (default: the running nodeos's, then nodeos's default, then config/ beside the data dir)."

    @Option(name: .customLong("config-dir"), help: ArgumentHelp(Self.help, valueName: "dir"))
    var configDir: String?

    func keys(for location: Location) -> NodeKeys { NodeConfig.find(for: location, configDir: configDir) }
}
