package org.torsh;

/** IR text could not be parsed (compiler layer) (TORSH_ERR_IR_PARSE). */
public class IRParseException extends TorshException {
    private static final long serialVersionUID = 1L;

    public IRParseException(String message) {
        super(IR_PARSE, message);
    }
}
