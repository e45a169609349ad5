package org.torsh;

/**
 * The native methods of the Java bindings: one per C function of include/torsh.h that
 * the bindings use, implemented in jni/torsh_jni.c (libtorsh_jni.so, linked to
 * libtorsh.so).
 *
 * <p>Handles are {@code long}s: tensors, modules, parameter lists and optimizers. Every
 * method that returns a tensor handle returns a new reference the caller must
 * {@link #release}. A failing call throws the {@link TorshException} subclass named after
 * the torsh status ({@link ShapeMismatchException}, ...) with the C message. Most code
 * wants the wrappers instead: {@link Tensor}, {@link Sequential}, {@link Linear},
 * {@link Adam}, which own their handles and release them on {@code close()} or, failing
 * that, when they become unreachable.
 *
 * <pre>{@code
 * long a = ToRSh.tensorFromArray(new float[] {1, 2, 3}, new long[] {3});
 * long s = ToRSh.sum(a);
 * float[] v = ToRSh.toFloatArray(s);   // {6.0f}
 * ToRSh.release(s);
 * ToRSh.release(a);
 * }</pre>
 *
 * <p>The JNI library is found through {@code java.library.path}
 * ({@code -Djava.library.path=bindings/java/build/lib}), or loaded from the file named by
 * the system property {@code torsh.jni.library} when it is set.
 */
public final class ToRSh {
    static {
        String explicit = System.getProperty("torsh.jni.library");
        if (explicit != null && !explicit.isEmpty()) {
            System.load(explicit);
        } else {
            System.loadLibrary("torsh_jni");
        }
    }

    private ToRSh() {}

    /** The ABI version these bindings were written against (TORSH_VERSION_NUMBER). */
    public static final int VERSION_NUMBER = 100;

    // ------------------------------------------------------------------ lifecycle, errors

    /** torsh_init: optional (everything initializes lazily); rereads TORSH_NUM_THREADS. */
    public static native void init();
    /** torsh_cleanup: joins the worker threads; live handles stay valid. */
    public static native void cleanup();
    /** "MAJOR.MINOR.PATCH" of the loaded libtorsh. */
    public static native String version();
    public static native int versionNumber();
    /** A short description of a status code ("shape mismatch"). */
    public static native String statusString(int code);
    /** Records {@code code} as the thread's last error and throws its exception (tests). */
    public static native void debugRaise(int code);
    /**
     * torsh_memory_stats: bytes_live, bytes_peak, allocations_total, allocations_live,
     * allocations_failed, handles_live, limit_bytes.
     */
    public static native long[] memoryStats();
    /** Live handles (tensors, pools, plans, errors) of the runtime. */
    public static long handlesLive() {
        return memoryStats()[5];
    }
    /** Allocations that would exceed this many live bytes fail; 0 removes the limit. */
    public static native void setMemoryLimit(long bytes);
    /** Seeds tensorRand/tensorRandn and module initialization. */
    public static native void manualSeed(long seed);

    // ------------------------------------------------------------------ tensors

    /** A contiguous f32 tensor holding a copy of data (data.length must be numel(shape)). */
    public static native long tensorFromArray(float[] data, long[] shape);
    /** A contiguous i64 tensor holding a copy of data (class indices, ...). */
    public static native long tensorFromLongArray(long[] data, long[] shape);
    public static native long tensorZeros(long[] shape, int dtype);
    public static native long tensorRand(long[] shape, int dtype);
    public static native long tensorRandn(long[] shape, int dtype);
    /** Drops one reference (torsh_tensor_release); 0 is a no-op. */
    public static native void release(long tensor);
    /** Adds a reference to the same handle and returns it. */
    public static native long retain(long tensor);
    public static native long refcount(long tensor);
    public static native int ndim(long tensor);
    public static native long[] shape(long tensor);
    /** A torsh_dtype_t value (see {@link DType}). */
    public static native int dtype(long tensor);
    public static native long numel(long tensor);
    /** The elements in row-major order, converted to float. */
    public static native float[] toFloatArray(long tensor);

    // ------------------------------------------------------------------ ops

    public static native long add(long a, long b);
    public static native long sub(long a, long b);
    public static native long mul(long a, long b);
    public static native long div(long a, long b);
    public static native long pow(long a, long b);
    public static native long matmul(long a, long b);
    public static native long neg(long t);
    public static native long exp(long t);
    public static native long log(long t);
    public static native long sqrt(long t);
    public static native long tanh(long t);
    public static native long sigmoid(long t);
    public static native long relu(long t);
    public static native long gelu(long t);
    public static native long sum(long t);
    public static native long mean(long t);
    public static native long max(long t);
    public static native long sumDim(long t, int dim, boolean keepdim);
    public static native long meanDim(long t, int dim, boolean keepdim);
    public static native long maxDim(long t, int dim, boolean keepdim);
    public static native long softmax(long t, int dim);
    public static native long logSoftmax(long t, int dim);
    public static native long reshape(long t, long[] shape);
    public static native long transpose(long t, int dim0, int dim1);
    public static native long contiguous(long t);
    public static native long cast(long t, int dtype);
    /** In place, not recorded by autograd. */
    public static native void fill(long t, double value);
    public static native long mseLoss(long input, long target);
    public static native long crossEntropy(long logits, long target);

    // ------------------------------------------------------------------ autograd

    public static native void setRequiresGrad(long t, boolean requiresGrad);
    public static native boolean requiresGrad(long t);
    /** Back-propagates from a one-element loss. */
    public static native void backward(long loss, boolean retainGraph);
    /** The accumulated gradient (a new reference), or 0 when there is none yet. */
    public static native long grad(long t);
    /** Drops t's gradient. */
    public static native void tensorZeroGrad(long t);
    public static native void noGradBegin();
    public static native void noGradEnd();

    // ------------------------------------------------------------------ modules

    public static native long sequentialNew();
    /** Takes over {@code module}, even when it fails: do not free it afterwards. */
    public static native void sequentialAdd(long sequential, long module);
    public static native long linearNew(long inFeatures, long outFeatures, boolean bias);
    public static native long reluNew();
    public static native long sigmoidNew();
    public static native long tanhNew();
    /** The module applied to input: a new tensor reference. */
    public static native long forward(long module, long input);
    /** A new parameter list: free it with paramsFree or hand it to an optimizer. */
    public static native long parameters(long module);
    public static native void moduleFree(long module);
    public static native long paramsCount(long params);
    /** Parameter i as a new reference (release it). */
    public static native long paramsGet(long params, long i);
    public static native void paramsFree(long params);

    // ------------------------------------------------------------------ optimizers

    /** Takes over {@code params}, even when it fails. */
    public static native long adamNew(long params, double lr, double beta1, double beta2,
                                      double eps);
    /** Takes over {@code params}, even when it fails. */
    public static native long sgdNew(long params, double lr, double momentum);
    public static native void zeroGrad(long optimizer);
    public static native void step(long optimizer);
    public static native void optimizerFree(long optimizer);
}
