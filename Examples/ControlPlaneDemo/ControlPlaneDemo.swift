#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The swift-control-plane demo: each layer of the control plane in turn, all in one process.
///
/// `swift run control-plane-demo [seed]` — the same seed prints the same story.
@main
struct ControlPlaneDemo {
    static func main() async {
        let seed: UInt64 = CommandLine.arguments.dropFirst().first.flatMap(UInt64.init) ?? 7
        print("swift-control-plane demo")
        print("")
        var consensus = RaftChapter(seed: seed)
        guard consensus.run() else { exit(1) }
        print("")
        guard await StoreChapter().run() else { exit(1) }
        print("")
        guard await APIChapter().run() else { exit(1) }
        print("")
        guard await ControllerChapter().run() else { exit(1) }
        print("")
        guard await SchedulingChapter().run() else { exit(1) }
    }
}
