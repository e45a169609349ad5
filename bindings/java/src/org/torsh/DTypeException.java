package org.torsh;

/** An unknown or unsupported dtype (TORSH_ERR_DTYPE). */
public class DTypeException extends TorshException {
    private static final long serialVersionUID = 1L;

    public DTypeException(String message) {
        super(DTYPE, message);
    }
}
