package org.torsh;

/** Shapes are incompatible; the message names them (TORSH_ERR_SHAPE_MISMATCH). */
public class ShapeMismatchException extends TorshException {
    private static final long serialVersionUID = 1L;

    public ShapeMismatchException(String message) {
        super(SHAPE_MISMATCH, message);
    }
}
