package org.torsh;

/** Element types (enum torsh_dtype of include/torsh.h). */
public enum DType {
    F32(0), F64(1), I32(2), I64(3), BOOL(4), F16(5), BF16(6), I8(7), U8(8);

    private final int code;

    DType(int code) {
        this.code = code;
    }

    /** The torsh_dtype_t value. */
    public int code() {
        return code;
    }

    /** The DType of a torsh_dtype_t value. */
    public static DType fromCode(int code) {
        for (DType d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        throw new DTypeException("unknown dtype code " + code);
    }
}
