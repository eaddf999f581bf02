import FinalityInterface

/// Presses keys in order; returns every effect they asked for.
@discardableResult
func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
    keys.flatMap { Core.update(&state, .terminal(.key($0))) }
}

@discardableResult
func type(_ state: inout AppState, _ text: String) -> [Effect] {
    text.flatMap { Core.update(&state, .terminal(.key(.character($0)))) }
}

func c(_ ch: Character) -> Key { .character(ch) }
