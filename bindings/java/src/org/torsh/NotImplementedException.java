package org.torsh;

/** A feature torsh does not implement (TORSH_ERR_NOT_IMPLEMENTED). */
public class NotImplementedException extends TorshException {
    private static final long serialVersionUID = 1L;

    public NotImplementedException(String message) {
        super(NOT_IMPLEMENTED, message);
    }
}
