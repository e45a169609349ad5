package org.torsh;

/** An index, offset or dimension is out of range (TORSH_ERR_INDEX). */
public class IndexException extends TorshException {
    private static final long serialVersionUID = 1L;

    public IndexException(String message) {
        super(INDEX, message);
    }
}
