package org.torsh;

/** An allocation failed, the memory limit was reached, or a pool is full (TORSH_ERR_OUT_OF_MEMORY). */
public class OutOfMemoryException extends TorshException {
    private static final long serialVersionUID = 1L;

    public OutOfMemoryException(String message) {
        super(OUT_OF_MEMORY, message);
    }
}
