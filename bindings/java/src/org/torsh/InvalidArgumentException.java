package org.torsh;

/** Any other invalid argument value (TORSH_ERR_INVALID_ARGUMENT). */
public class InvalidArgumentException extends TorshException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(INVALID_ARGUMENT, message);
    }
}
