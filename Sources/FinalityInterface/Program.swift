import FinalityEngine
import FinalityFormat
/// The loop at the edge: draw the state, run the effects `update` asked for (their
/// answers come back as messages), wait for the next terminal event. The only place
/// where the pure core meets a device and a runner.
public final class Program {
    public private(set) var state: AppState
    let device: TerminalDevice
    let runner: EffectRunner

    public init(state: AppState, device: TerminalDevice, runner: EffectRunner) {
        self.state = state
        self.device = device
        self.runner = runner
    }

    /// Runs until the operator quits or the terminal hangs up.
    public func run() {
        state.size = device.size
        var pending = Core.start(&state)
        while !state.quitting {
            // Keys that already wait (typed fast, or a stream) are handled before the next
            // frame: one frame for them all, not one per key.
            if !pending.isEmpty || !device.hasPendingInput { device.draw(Render.render(state)) }
            if !pending.isEmpty {
                // Show "working…" first, then do the work: the operator sees what is happening.
                let effect = pending.removeFirst()
                let answer = runner.perform(effect)
                pending += Core.update(&state, answer)
                continue
            }
            guard let event = device.nextEvent(timeoutMilliseconds: state.wakeMilliseconds) else {
                // A running watch collects its samples between keys, never instead of them;
                // the file and the node are looked at the same way (the screen follows them).
                pending += Core.update(&state, .tick)
                continue
            }
            if case .key(.control("l")) = event { device.forceRedraw() }
            pending += Core.update(&state, .terminal(event))
        }
    }

    /// Feeds one message (tests drive the program this way).
    public func send(_ message: Message) -> [Effect] {
        Core.update(&state, message)
    }
}
