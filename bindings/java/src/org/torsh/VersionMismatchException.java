package org.torsh;

/** A library and its caller disagree on the version (TORSH_ERR_VERSION_MISMATCH). */
public class VersionMismatchException extends TorshException {
    private static final long serialVersionUID = 1L;

    public VersionMismatchException(String message) {
        super(VERSION_MISMATCH, message);
    }
}
