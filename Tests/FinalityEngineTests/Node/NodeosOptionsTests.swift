import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// Values a test gives signature-provider: the private part must never be kept.
private let secret = "PVT_BLS_OptionsSecretNeverKept0123456789"
private func spec(_ k: UInt64, _ type: String = "KEY") -> String { "\(Fixture.key(k).text)=\(type):\(secret)" }

@Suite("nodeos's options, read as boost::program_options reads them")
struct NodeosOptionsTests {
    @Test(
        "every spelling of a long option with its value",
        arguments: [
            // (arguments, data dir, config dir, config file)
            (["--data-dir", "/a"], ["/a"], [], []),
            (["--data-dir=/a"], ["/a"], [], []),
            (["-d", "/a"], ["/a"], [], []),
            (["-d/a"], ["/a"], [], []),
            // Everything after the letter is the value: `-d=x` is the directory "=x".
            (["-d=/a"], ["=/a"], [], []),
            // Unambiguous prefixes of long names.
            (["--data-d", "/a"], ["/a"], [], []),
            (["--data-", "/a"], ["/a"], [], []),
            (["--config-d", "/c"], [], ["/c"], []),
            (["--config-", "/c"], [], ["/c"], []),
            (["--config-d=/c"], [], ["/c"], []),
            // An exact name wins over the longer names it prefixes.
            (["--config", "x.ini"], [], [], ["x.ini"]),
            (["-c", "x.ini"], [], [], ["x.ini"]),
            (["-cx.ini"], [], [], ["x.ini"]),
            // A value is the next token whatever it looks like (boost only refuses a known short option).
            (["--config-dir", "--data-dir=/a"], [], ["--data-dir=/a"], []),
            // Short options without a value grouped before one with a value (allow_sticky).
            (["-ed", "/a"], ["/a"], [], []),
            (["-xe", "-d/a"], ["/a"], [], []),
            (["-exd/a"], ["/a"], [], []),
            // -p and -l take the rest of the token, or the next token: not ours.
            (["-pdata", "-d", "/a"], ["/a"], [], []),
            (["-p", "-dx", "-d", "/a"], ["/a"], [], []),
            (["-l", "log.json", "-c", "n.ini"], [], [], ["n.ini"]),
            // `--` ends the options.
            (["-d", "/a", "--", "-d", "/b"], ["/a"], [], []),
            // Other options' values are not taken for ours.
            (["--plugin", "eosio::chain_plugin", "-e", "-p", "eosio", "-d", "x"], ["x"], [], []),
            (["--database-map-mode", "heap"], [], [], []),
            (["--max-irreversible-block-age", "-1", "--data-dir", "x"], ["x"], [], []),
            // A value given twice stops nodeos; both are kept so both are checked.
            (["-d", "/a", "--data-dir", "/b"], ["/a", "/b"], [], []),
        ] as [([String], [String], [String], [String])])
    func spellings(_ args: [String], data: [String], configDir: [String], config: [String]) {
        let o = NodeosOptions.commandLine(args)
        #expect(o.dataDir == data, "\(args)")
        #expect(o.configDir == configDir, "\(args)")
        #expect(o.configFile == config, "\(args)")
        #expect(o.unsettled.isEmpty, "\(args): \(o.unsettled)")
    }

    @Test("plugin options on the command line: --finalizers-dir, --state-dir, --blocks-dir and their prefixes")
    func pluginOptions() {
        let o = NodeosOptions.commandLine(["--finalizers-d=/f", "--state-dir", "/s", "--blocks-d", "/b", "--config-dir", "/c", "-c", "my.ini"])
        #expect(o.finalizersDir == ["/f"])
        #expect(o.stateDir == ["/s"])
        #expect(o.blocksDir == ["/b"])
        #expect(o.configDir == ["/c"])
        #expect(o.configFile == ["my.ini"])
        // Path options lose the quotes lexical_cast removes.
        #expect(NodeosOptions.commandLine(["--finalizers-dir", "\"/srv/my node/fin\""]).finalizersDir == ["/srv/my node/fin"])
    }

    @Test(
        "ambiguous or incomplete: said, never guessed",
        arguments: [
            // config or config-dir?
            (["--confi", "/c"], ["--confi"]),
            // state-dir or signature-provider (and many more)?
            (["--s", "x"], ["--s"]),
            (["--data-dir"], ["--data-dir (no value)"]),
            (["-d"], ["-d (no value)"]),
            (["--data-dir=", "/a"], ["--data-dir= (no value after \"=\": nodeos refuses it)"]),
            (["-qd", "/a"], ["-q in -q… (a short option unknown to this reader)"]),
        ] as [([String], [String])])
    func unsettled(_ args: [String], said: [String]) {
        let o = NodeosOptions.commandLine(args)
        #expect(o.unsettled == said)
        #expect(o.dataDir.isEmpty && o.configDir.isEmpty && o.configFile.isEmpty)
    }

    @Test("a prefix shared with a nodeos option we do not follow is read as ours: nodeos refuses it, reading too much is safe")
    func sharedPrefixes() {
        // `--data` is also database-map-mode; `--state` also state-history-*; `--signature`
        // also signature-cpu-billable-pct; `--blocks-` also blocks-log-stride.
        #expect(NodeosOptions.commandLine(["--data", "/a"]).dataDir == ["/a"])
        #expect(NodeosOptions.commandLine(["--state", "/s"]).stateDir == ["/s"])
        #expect(NodeosOptions.commandLine(["--blocks-", "/b"]).blocksDir == ["/b"])
        #expect(NodeosOptions.commandLine(["--signature", spec(1)]).signatureProviders.map(\.publicKey) == [Fixture.key(1).text])
        // An exact name of another option is that option.
        #expect(NodeosOptions.commandLine(["--state-history-dir", "/h"]).stateDir.isEmpty)
        #expect(NodeosOptions.commandLine(["--signature-cpu-billable-pct", "50"]).signatureProviders.isEmpty)
    }

    @Test(
        "--signature-provider: separate, = and prefix forms; multitoken; the private part never kept",
        arguments: [
            (["--signature-provider", spec(1)], [1]),
            (["--signature-provider=" + spec(1)], [1]),
            (["--signature-prov", spec(1)], [1]),
            // multitoken: the tokens after the value up to the next option are values too.
            (["--signature-provider", spec(1), spec(2), "-d", "/a"], [1, 2]),
            (["--signature-provider=" + spec(1), spec(2), "--data-dir", "/a"], [1, 2]),
            (["--signature-provider", spec(1), "--signature-provider", spec(2)], [1, 2]),
            // a lone "-" is a value, not an option.
            (["--signature-provider", spec(1), "-", spec(2)], [1, 2]),
        ] as [([String], [UInt64])])
    func signatureProviders(_ args: [String], keys: [UInt64]) {
        let o = NodeosOptions.commandLine(args)
        let finalizers = o.signatureProviders.filter(\.isFinalizerKey)
        #expect(finalizers.map(\.publicKey) == keys.map { Fixture.key($0).text })
        #expect(finalizers.allSatisfy { $0.source == .commandLine && $0.type == "KEY" })
        #expect(!String(describing: o).contains(secret))
        let shown = NodeosOptions.redacted(args)
        #expect(!shown.joined(separator: " ").contains(secret), "\(shown)")
        #expect(shown.count == args.count)
    }

    @Test("a value that is not a spec keeps nothing of itself; other providers are not finalizer keys")
    func notSpecs() {
        let o = NodeosOptions.commandLine([
            "--signature-provider", secret, "EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV=KEY:\(secret)", spec(4, "KEOSD"),
        ])
        #expect(o.signatureProviders.count == 3)
        #expect(o.signatureProviders[0].publicKey == nil && o.signatureProviders[0].type == nil)
        #expect(o.signatureProviders.filter(\.isFinalizerKey).isEmpty)
        #expect(!String(describing: o).contains(secret))
        let shown = NodeosOptions.redacted(["-d", "/a", "--signature-provider", secret, "--signature-provider=" + spec(1)])
        #expect(shown == ["-d", "/a", "--signature-provider", "(not shown)", "--signature-provider=\(Fixture.key(1).text)=KEY:(not shown)"])
    }

    @Test("config.ini: name = value, # and ; comments, sections, exact names only, quoted paths, line numbers")
    func configINI() {
        let ini = """
            # finalizers-dir = /commented
            ; state-dir = /commented-too
            plugin = eosio::chain_plugin
              finalizers-dir =  /srv/fin   # inline comment
            state-dir=relstate\r
            blocks-dir = "/srv/my blocks"
            signature-provider = \(spec(1))
            signature-provider=\(spec(2))   # second key
            finalizers-d = /a-prefix-is-not-a-name-here
            data-dir = /not-allowed-in-a-config-file
            [section]
            finalizers-dir = /not-this-one
            signature-provider = \(spec(3))
            """
        let o = NodeosOptions.configFile(Array(ini.utf8), path: "/etc/n/config.ini")
        #expect(o.finalizersDir == ["/srv/fin"])
        #expect(o.stateDir == ["relstate"])
        #expect(o.blocksDir == ["/srv/my blocks"])
        #expect(o.dataDir.isEmpty)
        #expect(o.signatureProviders.map(\.publicKey) == [Fixture.key(1).text, Fixture.key(2).text])
        #expect(o.signatureProviders.map(\.source) == [.configFile(path: "/etc/n/config.ini", line: 7), .configFile(path: "/etc/n/config.ini", line: 8)])
        #expect(!String(describing: o).contains(secret))
    }

    @Test("the config file is stored after the command line: single values keep the command line's, signature providers compose")
    func store() {
        let ini = "finalizers-dir = /ini-fin\nstate-dir = /ini-state\nsignature-provider = \(spec(2))\n"
        var o = NodeosOptions.commandLine(["--finalizers-dir", "/cli", "--signature-provider", spec(1)])
        o.store(NodeosOptions.configFile(Array(ini.utf8), path: "/c/config.ini"))
        #expect(o.finalizersDir == ["/cli"])
        #expect(o.stateDir == ["/ini-state"])
        #expect(o.signatureProviders.map(\.publicKey) == [Fixture.key(1).text, Fixture.key(2).text])
        #expect(o.signatureProviders.map(\.source) == [.commandLine, .configFile(path: "/c/config.ini", line: 3)])
    }
}
