package org.torsh;

/** An IR module breaks an invariant (compiler layer) (TORSH_ERR_IR_VERIFY). */
public class IRVerifyException extends TorshException {
    private static final long serialVersionUID = 1L;

    public IRVerifyException(String message) {
        super(IR_VERIFY, message);
    }
}
