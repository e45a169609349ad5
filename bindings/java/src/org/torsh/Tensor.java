package org.torsh;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A torsh tensor: one reference to a torsh_tensor_t handle. Ops return new tensors;
 * close() releases the reference (idempotent), and a tensor never closed is released
 * once it becomes unreachable.
 *
 * <pre>{@code
 * try (Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
 *      Tensor b = a.matmul(a)) {
 *     float[] v = b.toFloatArray();   // {7, 10, 15, 22}
 * }
 * }</pre>
 *
 * Failures throw the {@link TorshException} subclass of the torsh status
 * ({@link ShapeMismatchException}, {@link DTypeException}, ...).
 */
public final class Tensor extends NativeObject {
    /** Wraps a new reference (owned from now on). */
    Tensor(long handle) {
        super(handle, ToRSh::release, "Tensor");
    }

    /** Takes ownership of a tensor handle returned by a {@link ToRSh} function. */
    public static Tensor adopt(long handle) {
        return new Tensor(handle);
    }

    // ------------------------------------------------------------------ creation

    /** An f32 tensor holding a copy of data; data.length must equal numel(shape). */
    public static Tensor fromArray(float[] data, long... shape) {
        return new Tensor(ToRSh.tensorFromArray(data, shape));
    }

    /** A 1-d f32 tensor. */
    public static Tensor of(float... data) {
        return fromArray(data, data.length);
    }

    /** A 2-d f32 tensor from rows of equal length. */
    public static Tensor fromArray(float[][] rows) {
        if (rows == null) {
            throw new NullArgumentException("fromArray: rows is null");
        }
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeMismatchException("fromArray: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromArray(flat, rows.length, cols);
    }

    /** An i64 tensor holding a copy of data (class indices for crossEntropy). */
    public static Tensor fromLongArray(long[] data, long... shape) {
        return new Tensor(ToRSh.tensorFromLongArray(data, shape));
    }

    /** A 0-d f32 tensor. */
    public static Tensor scalar(float value) {
        return fromArray(new float[] {value});
    }

    public static Tensor zeros(long... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor zeros(DType dtype, long... shape) {
        return new Tensor(ToRSh.tensorZeros(shape, dtype.code()));
    }

    /** Uniform [0, 1) f32 samples (seeded by {@link ToRSh#manualSeed}). */
    public static Tensor rand(long... shape) {
        return new Tensor(ToRSh.tensorRand(shape, DType.F32.code()));
    }

    /** Standard normal f32 samples (seeded by {@link ToRSh#manualSeed}). */
    public static Tensor randn(long... shape) {
        return new Tensor(ToRSh.tensorRandn(shape, DType.F32.code()));
    }

    // ------------------------------------------------------------------ properties

    public long[] shape() {
        try {
            return ToRSh.shape(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    public int ndim() {
        try {
            return ToRSh.ndim(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    public long numel() {
        try {
            return ToRSh.numel(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    public DType dtype() {
        try {
            return DType.fromCode(ToRSh.dtype(handle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The handle's reference count (torsh_tensor_refcount). */
    public long refcount() {
        try {
            return ToRSh.refcount(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        try {
            return ToRSh.toFloatArray(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The value of a one-element tensor. */
    public float item() {
        float[] values = toFloatArray();
        if (values.length != 1) {
            throw new ShapeMismatchException("item: a tensor of shape " + Arrays.toString(shape())
                    + " has " + values.length + " elements, not 1");
        }
        return values[0];
    }

    // ------------------------------------------------------------------ ops

    private Tensor unary(LongUnaryOperator op) {
        try {
            return new Tensor(op.applyAsLong(handle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private Tensor binary(Tensor other, String what, LongBinaryOperator op) {
        if (other == null) {
            throw new NullArgumentException(what + ": the other tensor is null");
        }
        try {
            return new Tensor(op.applyAsLong(handle(), other.handle()));
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(other);
        }
    }

    private Tensor withScalar(float value, LongBinaryOperator op) {
        try (Tensor s = scalar(value)) {
            return binary(s, "scalar op", op);
        }
    }

    public Tensor add(Tensor other) {
        return binary(other, "add", ToRSh::add);
    }

    public Tensor sub(Tensor other) {
        return binary(other, "sub", ToRSh::sub);
    }

    public Tensor mul(Tensor other) {
        return binary(other, "mul", ToRSh::mul);
    }

    public Tensor div(Tensor other) {
        return binary(other, "div", ToRSh::div);
    }

    public Tensor pow(Tensor other) {
        return binary(other, "pow", ToRSh::pow);
    }

    public Tensor add(float value) {
        return withScalar(value, ToRSh::add);
    }

    public Tensor sub(float value) {
        return withScalar(value, ToRSh::sub);
    }

    public Tensor mul(float value) {
        return withScalar(value, ToRSh::mul);
    }

    public Tensor div(float value) {
        return withScalar(value, ToRSh::div);
    }

    /** torch.matmul; a size mismatch throws ShapeMismatchException naming both shapes. */
    public Tensor matmul(Tensor other) {
        return binary(other, "matmul", ToRSh::matmul);
    }

    public Tensor neg() {
        return unary(ToRSh::neg);
    }

    public Tensor exp() {
        return unary(ToRSh::exp);
    }

    public Tensor log() {
        return unary(ToRSh::log);
    }

    public Tensor sqrt() {
        return unary(ToRSh::sqrt);
    }

    public Tensor tanh() {
        return unary(ToRSh::tanh);
    }

    public Tensor sigmoid() {
        return unary(ToRSh::sigmoid);
    }

    public Tensor relu() {
        return unary(ToRSh::relu);
    }

    public Tensor gelu() {
        return unary(ToRSh::gelu);
    }

    /** The sum of all elements (0-d). */
    public Tensor sum() {
        return unary(ToRSh::sum);
    }

    public Tensor mean() {
        return unary(ToRSh::mean);
    }

    public Tensor max() {
        return unary(ToRSh::max);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return unary(h -> ToRSh.sumDim(h, dim, keepdim));
    }

    public Tensor mean(int dim, boolean keepdim) {
        return unary(h -> ToRSh.meanDim(h, dim, keepdim));
    }

    public Tensor max(int dim, boolean keepdim) {
        return unary(h -> ToRSh.maxDim(h, dim, keepdim));
    }

    public Tensor softmax(int dim) {
        return unary(h -> ToRSh.softmax(h, dim));
    }

    public Tensor logSoftmax(int dim) {
        return unary(h -> ToRSh.logSoftmax(h, dim));
    }

    /** torch.reshape (one entry may be -1). */
    public Tensor reshape(long... shape) {
        return unary(h -> ToRSh.reshape(h, shape));
    }

    public Tensor transpose(int dim0, int dim1) {
        return unary(h -> ToRSh.transpose(h, dim0, dim1));
    }

    public Tensor contiguous() {
        return unary(ToRSh::contiguous);
    }

    /** This tensor converted to dtype. */
    public Tensor to(DType dtype) {
        return unary(h -> ToRSh.cast(h, dtype.code()));
    }

    /** Sets every element to value, in place (not recorded by autograd). */
    public Tensor fill(double value) {
        try {
            ToRSh.fill(handle(), value);
            return this;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** mean((this - target)^2). */
    public Tensor mseLoss(Tensor target) {
        return binary(target, "mseLoss", ToRSh::mseLoss);
    }

    /** Mean cross-entropy of these logits (N, C) against class indices (N) (i64). */
    public Tensor crossEntropy(Tensor target) {
        return binary(target, "crossEntropy", ToRSh::crossEntropy);
    }

    // ------------------------------------------------------------------ autograd

    /** Marks this leaf as requiring grad; returns this. */
    public Tensor setRequiresGrad(boolean requiresGrad) {
        try {
            ToRSh.setRequiresGrad(handle(), requiresGrad);
            return this;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    public boolean requiresGrad() {
        try {
            return ToRSh.requiresGrad(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Back-propagates from this one-element loss (the graph is freed afterwards). */
    public void backward() {
        backward(false);
    }

    public void backward(boolean retainGraph) {
        try {
            ToRSh.backward(handle(), retainGraph);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The accumulated gradient (a new tensor), or null when there is none yet. */
    public Tensor grad() {
        try {
            long g = ToRSh.grad(handle());
            return g == 0 ? null : new Tensor(g);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Drops the gradient. */
    public void zeroGrad() {
        try {
            ToRSh.tensorZeroGrad(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** "Tensor(shape=[2, 2], dtype=F32, data=[1.0, 2.0, 3.0, 4.0])" (data cut at 16). */
    @Override
    public String toString() {
        if (isClosed()) {
            return "Tensor(closed)";
        }
        float[] values = toFloatArray();
        String data = values.length <= 16 ? Arrays.toString(values)
                : Arrays.toString(Arrays.copyOf(values, 16)).replace("]", ", ...]");
        return "Tensor(shape=" + Arrays.toString(shape()) + ", dtype=" + dtype() + ", data="
                + data + ")";
    }
}
