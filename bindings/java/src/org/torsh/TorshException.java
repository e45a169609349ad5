package org.torsh;

import java.nio.charset.StandardCharsets;

/**
 * A failure reported by libtorsh: {@link #getCode()} is the C status (enum torsh_status of
 * include/torsh.h) and the message is the C library's. Each status has its own subclass
 * ({@link ShapeMismatchException} for TORSH_ERR_SHAPE_MISMATCH, ...), so callers catch
 * exactly what they can handle:
 *
 * <pre>{@code
 * try (Tensor c = a.matmul(b)) {
 *     ...
 * } catch (ShapeMismatchException e) {
 *     System.err.println(e.getCode() + ": " + e.getMessage());
 * }
 * }</pre>
 */
public class TorshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int NULL_ARGUMENT = 1;
    public static final int INVALID_HANDLE = 2;
    public static final int SHAPE_MISMATCH = 3;
    public static final int DTYPE = 4;
    public static final int OUT_OF_MEMORY = 5;
    public static final int INDEX = 6;
    public static final int NOT_IMPLEMENTED = 7;
    public static final int INVALID_ARGUMENT = 8;
    public static final int IR_PARSE = 9;
    public static final int IR_VERIFY = 10;
    public static final int COMPILE = 11;
    public static final int INTERNAL = 12;
    public static final int VERSION_MISMATCH = 13;

    private final int code;

    public TorshException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The torsh_status_t of the failure. */
    public int getCode() {
        return code;
    }

    /**
     * The exception of a status code (called by the JNI code with the C message as UTF-8
     * bytes). Unknown codes give a plain TorshException.
     */
    public static TorshException fromStatus(int code, byte[] utf8Message) {
        return fromStatus(code, new String(utf8Message, StandardCharsets.UTF_8));
    }

    /** The exception of a status code, one subclass per TORSH_ERR_* value. */
    public static TorshException fromStatus(int code, String message) {
        switch (code) {
            case NULL_ARGUMENT: return new NullArgumentException(message);
            case INVALID_HANDLE: return new InvalidHandleException(message);
            case SHAPE_MISMATCH: return new ShapeMismatchException(message);
            case DTYPE: return new DTypeException(message);
            case OUT_OF_MEMORY: return new OutOfMemoryException(message);
            case INDEX: return new IndexException(message);
            case NOT_IMPLEMENTED: return new NotImplementedException(message);
            case INVALID_ARGUMENT: return new InvalidArgumentException(message);
            case IR_PARSE: return new IRParseException(message);
            case IR_VERIFY: return new IRVerifyException(message);
            case COMPILE: return new CompileException(message);
            case INTERNAL: return new InternalException(message);
            case VERSION_MISMATCH: return new VersionMismatchException(message);
            default: return new TorshException(code, message);
        }
    }
}
