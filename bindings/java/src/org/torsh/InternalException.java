package org.torsh;

/** A bug in torsh itself (TORSH_ERR_INTERNAL). */
public class InternalException extends TorshException {
    private static final long serialVersionUID = 1L;

    public InternalException(String message) {
        super(INTERNAL, message);
    }
}
