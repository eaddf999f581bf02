// The pure interface core: see issue 4.
public enum InterfacePlaceholder {}
