import FinalityInterface

/// Presses keys in order; returns every effect they asked for.
@discardableResult
public func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
    keys.flatMap { Core.update(&state, .terminal(.key($0))) }
}

@discardableResult
public func type(_ state: inout AppState, _ text: String) -> [Effect] {
    text.flatMap { Core.update(&state, .terminal(.key(.character($0)))) }
}

public func c(_ ch: Character) -> Key { .character(ch) }
