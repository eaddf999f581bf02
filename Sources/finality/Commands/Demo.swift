import ArgumentParser
import FinalityEngine
import FinalitySamples
import FoundationEssentials
import Glibc

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a realistic demo data dir in a new temp folder and open it.",
        discussion: """
            The folder is laid out as a node's home: data/ holds finalizers/safety.dat (Savanna v1, six entries: active finalizers, one whose lock is behind LIB, an inactive entry, one with an all-zero lock), blocks/blocks.log (LIB = block 400,000,200) and a state/ folder with no node running; config/config.ini beside it names the node's finalizer keys (signature-provider lines with made-up private parts that are never shown).

            Everything is made by this tool's own writers; nothing outside the folder is touched.
            """)

    @Flag(help: "Only build the data dir and print its path (do not open the interface).")
    var printOnly = false

    func run() throws {
        let location: Location
        do {
            location = try DemoDataDir.build()
        } catch {
            throw fail(error)
        }
        let dataDir = location.dataDir ?? location.file
        if printOnly || !Terminal.isInteractive {
            var out = Output()
            out.line("\(dataDir)")
            out.flush()
            if !printOnly {
                printError("no terminal: built the demo data dir above; open it with `finality \(dataDir)` on a terminal")
            }
            return
        }
        // Said on the way out, whatever ended the session: the folder stays for another look.
        defer {
            let quoted = ShellWord.quoted(dataDir)
            let folder = ShellWord.quoted(PathText.directory(dataDir))
            printUsage("The demo data dir stays at \(dataDir) (its node's config.ini beside it)\n  open it again:  finality \(quoted)\n  remove it:      rm -r \(folder)")
        }
        try Terminal.open(location, readOnly: false)
    }
}
