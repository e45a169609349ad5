package org.torsh;

/** A handle was released, freed with its owner, or never valid (TORSH_ERR_INVALID_HANDLE). */
public class InvalidHandleException extends TorshException {
    private static final long serialVersionUID = 1L;

    public InvalidHandleException(String message) {
        super(INVALID_HANDLE, message);
    }
}
