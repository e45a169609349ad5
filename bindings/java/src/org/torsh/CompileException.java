package org.torsh;

/** Lowering or JIT compilation failed (compiler layer) (TORSH_ERR_COMPILE). */
public class CompileException extends TorshException {
    private static final long serialVersionUID = 1L;

    public CompileException(String message) {
        super(COMPILE, message);
    }
}
