package org.torsh;

/** A required pointer argument was NULL (TORSH_ERR_NULL_ARGUMENT). */
public class NullArgumentException extends TorshException {
    private static final long serialVersionUID = 1L;

    public NullArgumentException(String message) {
        super(NULL_ARGUMENT, message);
    }
}
