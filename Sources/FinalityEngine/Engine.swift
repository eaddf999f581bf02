// The engine: see issue 3.
public enum FinalityEngineVersion { public static let tool = "0.1.0" }
