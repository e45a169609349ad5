package org.torsh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The tests of the Java bindings, as a plain program (no JUnit):
 *
 * <pre>
 * java -Djava.library.path=bindings/java/build/lib -cp bindings/java/build/classes \
 *      org.torsh.ToRShTest [NAME_SUBSTRING ...]
 * </pre>
 *
 * Prints one line per test and "N passed, M failed"; exits 1 when a test failed.
 * Arguments select the tests whose name contains one of them.
 */
public final class ToRShTest {
    private ToRShTest() {}

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private static final List<String> failures = new ArrayList<>();
    private static int passed;
    private static String[] filters = new String[0];

    private static void test(String name, Body body) {
        if (filters.length > 0 && Arrays.stream(filters).noneMatch(name::contains)) {
            return;
        }
        try {
            body.run();
            passed++;
            System.out.println("ok    " + name);
        } catch (Throwable e) {
            failures.add(name);
            System.out.println("FAIL  " + name + ": " + e);
            e.printStackTrace(System.out);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    private static void checkEquals(Object expected, Object actual, String what) {
        if (!java.util.Objects.deepEquals(expected, actual)) {
            throw new AssertionError(what + ": expected " + show(expected) + ", got " + show(actual));
        }
    }

    private static String show(Object o) {
        if (o instanceof float[]) {
            return Arrays.toString((float[]) o);
        }
        if (o instanceof long[]) {
            return Arrays.toString((long[]) o);
        }
        return String.valueOf(o);
    }

    private static void checkClose(float[] expected, float[] actual, String what) {
        boolean ok = expected.length == actual.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = Math.abs(expected[i] - actual[i]) <= 1e-5f + 1.3e-6f * Math.abs(expected[i]);
        }
        if (!ok) {
            throw new AssertionError(what + ": expected " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(actual));
        }
    }

    /** Runs body, which must throw an exception of class cls (exactly), and returns it. */
    private static <T extends Throwable> T expect(Class<T> cls, Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable e) {
            if (e.getClass() != cls) {
                throw new AssertionError("expected " + cls.getSimpleName() + ", got " + e, e);
            }
            return cls.cast(e);
        }
        throw new AssertionError("expected " + cls.getSimpleName() + ", nothing was thrown");
    }

    /** Runs body, which must throw some TorshException, and returns it. */
    private static TorshException expectAny(Body body) throws Exception {
        try {
            body.run();
        } catch (TorshException e) {
            return e;
        }
        throw new AssertionError("expected a TorshException, nothing was thrown");
    }

    /** Collects garbage until handles_live is at most `target` (the Cleaner runs then). */
    private static long awaitHandles(long target) throws InterruptedException {
        long live = ToRSh.handlesLive();
        for (int i = 0; i < 200 && live > target; i++) {
            System.gc();
            Thread.sleep(50);
            live = ToRSh.handlesLive();
        }
        return live;
    }

    private static void makeGarbageTensors(int n) {
        for (int i = 0; i < n; i++) {
            Tensor.fromArray(new float[] {i, i + 1}, 2); // never closed
        }
    }

    private static final Map<Integer, Class<? extends TorshException>> CLASSES = Map.ofEntries(
            Map.entry(1, NullArgumentException.class),
            Map.entry(2, InvalidHandleException.class),
            Map.entry(3, ShapeMismatchException.class),
            Map.entry(4, DTypeException.class),
            Map.entry(5, OutOfMemoryException.class),
            Map.entry(6, IndexException.class),
            Map.entry(7, NotImplementedException.class),
            Map.entry(8, InvalidArgumentException.class),
            Map.entry(9, IRParseException.class),
            Map.entry(10, IRVerifyException.class),
            Map.entry(11, CompileException.class),
            Map.entry(12, InternalException.class),
            Map.entry(13, VersionMismatchException.class));

    public static void main(String[] args) throws Exception {
        filters = args;
        ToRSh.init();
        long baseline = ToRSh.handlesLive();

        // ------------------------------------------------------------ runtime basics

        test("version", () -> {
            checkEquals(ToRSh.VERSION_NUMBER, ToRSh.versionNumber(), "versionNumber");
            checkEquals("0.1.0", ToRSh.version(), "version");
            checkEquals("shape mismatch", ToRSh.statusString(3), "statusString(3)");
        });

        test("fromArray round trip", () -> {
            try (Tensor t = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
                checkEquals(new long[] {2, 3}, t.shape(), "shape");
                checkEquals(2, t.ndim(), "ndim");
                checkEquals(6L, t.numel(), "numel");
                checkEquals(DType.F32, t.dtype(), "dtype");
                checkEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray(), "values");
                checkEquals(1L, t.refcount(), "refcount");
            }
            try (Tensor t = Tensor.fromArray(new float[][] {{1, 2}, {3, 4}, {5, 6}});
                 Tensor s = Tensor.scalar(2.5f);
                 Tensor z = Tensor.zeros(DType.F64, 0, 4)) {
                checkEquals(new long[] {3, 2}, t.shape(), "2-d shape");
                checkEquals(new long[0], s.shape(), "0-d shape");
                checkEquals(2.5f, s.item(), "item");
                checkEquals(DType.F64, z.dtype(), "zeros dtype");
                checkEquals(0, z.toFloatArray().length, "empty");
            }
        });

        test("fromArray length must fill the shape", () -> {
            ShapeMismatchException e = expect(ShapeMismatchException.class,
                    () -> Tensor.fromArray(new float[] {1, 2, 3, 4, 5}, 2, 3));
            checkEquals(TorshException.SHAPE_MISMATCH, e.getCode(), "code");
            check(e.getMessage().contains("[2, 3]"), "message names the shape: " + e.getMessage());
        });

        test("invalid arguments from the C library", () -> {
            TorshException e = expect(NullArgumentException.class,
                    () -> ToRSh.tensorFromArray(null, new long[] {2}));
            checkEquals(1, e.getCode(), "null data code");
            check(!e.getMessage().isEmpty(), "null data has a message");
            expect(InvalidArgumentException.class, () -> ToRSh.tensorZeros(new long[40], 0));
            TorshException neg = expectAny(() -> Tensor.zeros(2, -3));
            check(neg.getMessage().contains("-3"), "negative size in message: " + neg.getMessage());
            expect(DTypeException.class, () -> ToRSh.tensorZeros(new long[] {2}, 42));
        });

        test("debugRaise codes map to exception classes", () -> {
            for (Map.Entry<Integer, Class<? extends TorshException>> entry : CLASSES.entrySet()) {
                int code = entry.getKey();
                TorshException e = expect(entry.getValue(), () -> ToRSh.debugRaise(code));
                checkEquals(code, e.getCode(), "code of " + e.getClass().getSimpleName());
                check(e.getMessage().startsWith("torsh_debug_raise: injected "),
                        "message: " + e.getMessage());
                check(e.getMessage().endsWith(ToRSh.statusString(code)), "message: " + e.getMessage());
                check(e instanceof RuntimeException, "unchecked");
                checkEquals(e.getClass(), TorshException.fromStatus(code, "m").getClass(),
                        "fromStatus(" + code + ")");
            }
            TorshException e = expect(InvalidArgumentException.class, () -> ToRSh.debugRaise(99));
            checkEquals(8, e.getCode(), "out-of-range code");
            checkEquals(TorshException.class, TorshException.fromStatus(77, "x").getClass(),
                    "unknown code");
        });

        test("memory limit gives OutOfMemoryException", () -> {
            ToRSh.setMemoryLimit(ToRSh.memoryStats()[0] + (1 << 20));
            try {
                OutOfMemoryException e = expect(OutOfMemoryException.class,
                        () -> Tensor.zeros(1 << 20)); // 4 MiB of f32
                checkEquals(TorshException.OUT_OF_MEMORY, e.getCode(), "code");
                check(!e.getMessage().isEmpty(), "message");
            } finally {
                ToRSh.setMemoryLimit(0);
            }
            try (Tensor t = Tensor.zeros(1 << 20)) {
                checkEquals((long) (1 << 20), t.numel(), "allocates without the limit");
            }
        });

        test("close is idempotent", () -> {
            long before = ToRSh.handlesLive();
            Tensor t = Tensor.fromArray(new float[] {1, 2}, 2);
            checkEquals(before + 1, ToRSh.handlesLive(), "one more handle");
            long raw = t.handle();
            t.close();
            t.close();
            t.close();
            check(t.isClosed(), "isClosed");
            checkEquals(before, ToRSh.handlesLive(), "handle released once");
            InvalidHandleException e = expect(InvalidHandleException.class, t::toFloatArray);
            check(e.getMessage().contains("closed"), "message: " + e.getMessage());
            checkEquals("Tensor(closed)", t.toString(), "toString");
            // The raw handle is stale now: torsh reports it instead of crashing.
            expect(InvalidHandleException.class, () -> ToRSh.numel(raw));
            expect(InvalidHandleException.class, () -> ToRSh.release(raw));
            ToRSh.release(0); // releasing NULL is a no-op
        });

        test("Cleaner releases tensors never closed", () -> {
            long before = ToRSh.handlesLive();
            makeGarbageTensors(500);
            check(ToRSh.handlesLive() >= before + 1, "garbage is live before GC");
            long after = awaitHandles(before);
            check(after <= before, "handles_live after GC: " + after + " > " + before);
        });

        test("raw API retain and release", () -> {
            long h = ToRSh.tensorFromArray(new float[] {3}, new long[0]);
            checkEquals(h, ToRSh.retain(h), "retain returns the handle");
            checkEquals(2L, ToRSh.refcount(h), "refcount after retain");
            ToRSh.release(h);
            try (Tensor t = Tensor.adopt(h)) {
                checkEquals(3.0f, t.item(), "adopted value");
            }
            expect(InvalidHandleException.class, () -> ToRSh.refcount(h));
        });

        // ------------------------------------------------------------ ops

        test("add values and broadcasting", () -> {
            try (Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
                 Tensor b = Tensor.fromArray(new float[] {10, 20, 30, 40, 50, 60}, 2, 3);
                 Tensor row = Tensor.of(100, 200, 300);
                 Tensor c = a.add(b);
                 Tensor d = a.add(row);
                 Tensor e = a.add(1.5f)) {
                checkEquals(new float[] {11, 22, 33, 44, 55, 66}, c.toFloatArray(), "a + b");
                checkEquals(new long[] {2, 3}, c.shape(), "shape of a + b");
                checkEquals(new float[] {101, 202, 303, 104, 205, 306}, d.toFloatArray(), "a + row");
                checkEquals(new float[] {2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f}, e.toFloatArray(),
                        "a + 1.5");
            }
        });

        test("sub mul div relu sum mean", () -> {
            try (Tensor a = Tensor.of(1, -2, 3, -4);
                 Tensor b = Tensor.of(2, 2, 2, 2);
                 Tensor s = a.sub(b);
                 Tensor m = a.mul(b);
                 Tensor q = a.div(b);
                 Tensor r = a.relu();
                 Tensor total = a.sum();
                 Tensor avg = a.mean()) {
                checkEquals(new float[] {-1, -4, 1, -6}, s.toFloatArray(), "sub");
                checkEquals(new float[] {2, -4, 6, -8}, m.toFloatArray(), "mul");
                checkEquals(new float[] {0.5f, -1, 1.5f, -2}, q.toFloatArray(), "div");
                checkEquals(new float[] {1, 0, 3, 0}, r.toFloatArray(), "relu");
                checkEquals(new long[0], total.shape(), "sum is 0-d");
                checkEquals(-2.0f, total.item(), "sum");
                checkEquals(-0.5f, avg.item(), "mean");
            }
            try (Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
                 Tensor rows = a.sum(1, false);
                 Tensor t = a.transpose(0, 1);
                 Tensor flat = t.reshape(-1);
                 Tensor i = Tensor.fromLongArray(new long[] {7, 8}, 2);
                 Tensor isum = i.sum();
                 Tensor sm = a.softmax(1);
                 Tensor smRows = sm.sum(1, false)) {
                checkEquals(new float[] {6, 15}, rows.toFloatArray(), "sum over dim 1");
                checkEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray(), "transposed");
                checkEquals(new float[] {1, 4, 2, 5, 3, 6}, flat.toFloatArray(), "reshaped");
                checkEquals(DType.I64, isum.dtype(), "integer sum dtype");
                checkEquals(15.0f, isum.item(), "integer sum (read through a cast)");
                checkClose(new float[] {1, 1}, smRows.toFloatArray(), "softmax rows");
            }
        });

        test("matmul values", () -> {
            try (Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
                 Tensor w = Tensor.fromArray(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
                 Tensor c = a.matmul(w)) {
                checkEquals(new long[] {2, 2}, c.shape(), "shape");
                checkEquals(new float[] {4, 5, 10, 11}, c.toFloatArray(), "values");
            }
        });

        test("matmul shape mismatch", () -> {
            try (Tensor a = Tensor.zeros(2, 3); Tensor b = Tensor.zeros(4, 5)) {
                ShapeMismatchException e = expect(ShapeMismatchException.class, () -> a.matmul(b));
                checkEquals(TorshException.SHAPE_MISMATCH, e.getCode(), "code");
                String m = e.getMessage();
                check(m.matches("(?s).*[\\[(]2, 3[\\])].*") && m.matches("(?s).*[\\[(]4, 5[\\])].*"),
                        "the message names both shapes: " + m);
                check(e instanceof TorshException, "is a TorshException");
            }
        });

        test("add shape mismatch and null operand", () -> {
            try (Tensor a = Tensor.zeros(2, 3); Tensor b = Tensor.zeros(4)) {
                ShapeMismatchException e = expect(ShapeMismatchException.class, () -> a.add(b));
                check(e.getMessage().contains("2, 3") && e.getMessage().contains("4"),
                        "message: " + e.getMessage());
                expect(NullArgumentException.class, () -> a.add((Tensor) null));
                expect(NullArgumentException.class, () -> ToRSh.add(a.handle(), 0));
            }
        });

        test("dtype errors", () -> {
            try (Tensor i = Tensor.fromLongArray(new long[] {1, 2, 3, 4}, 2, 2)) {
                expect(DTypeException.class, () -> ToRSh.cast(i.handle(), 42));
                try (Tensor h = i.to(DType.F16)) {
                    expect(DTypeException.class, () -> h.add(h));
                }
            }
        });

        // ------------------------------------------------------------ autograd

        test("backward and grad", () -> {
            try (Tensor x = Tensor.of(1, 2, 3).setRequiresGrad(true)) {
                check(x.requiresGrad(), "requiresGrad");
                checkEquals(null, x.grad(), "no grad before backward");
                try (Tensor sq = x.mul(x); Tensor loss = sq.sum()) {
                    loss.backward();
                }
                try (Tensor g = x.grad()) {
                    checkEquals(new float[] {2, 4, 6}, g.toFloatArray(), "d sum(x*x) / dx");
                }
                x.zeroGrad();
                checkEquals(null, x.grad(), "grad dropped");
            }
        });

        test("backward errors", () -> {
            try (Tensor x = Tensor.of(1, 2, 3).setRequiresGrad(true);
                 Tensor y = x.mul(x)) {
                expect(InvalidArgumentException.class, () -> y.setRequiresGrad(false));
                TorshException e = expect(InvalidArgumentException.class, y::backward);
                check(e.getMessage().contains("(3,)"), "the message names the shape: "
                        + e.getMessage());
                try (Tensor loss = y.sum()) {
                    loss.backward();
                    expect(InvalidArgumentException.class, loss::backward);
                }
            }
            try (Tensor i = Tensor.fromLongArray(new long[] {1}, 1)) {
                expect(DTypeException.class, () -> i.setRequiresGrad(true));
            }
        });

        // ------------------------------------------------------------ modules, optimizers

        test("Linear parameters and forward", () -> {
            try (Linear lin = new Linear(3, 2);
                 Parameters ps = lin.parameters();
                 Tensor w = ps.get(0);
                 Tensor b = ps.get(1);
                 Tensor x = Tensor.zeros(4, 3);
                 Tensor y = lin.forward(x)) {
                checkEquals(2, ps.size(), "two parameters");
                checkEquals(new long[] {2, 3}, w.shape(), "weight shape");
                checkEquals(new long[] {2}, b.shape(), "bias shape");
                check(w.requiresGrad() && b.requiresGrad(), "parameters require grad");
                checkEquals(new long[] {4, 2}, y.shape(), "output shape");
                float bound = (float) (1 / Math.sqrt(3));
                for (float v : w.toFloatArray()) {
                    check(Math.abs(v) <= bound, "weight within +-1/sqrt(in): " + v);
                }
                try (Tensor y0 = y.sum(0, false); Tensor four = Tensor.scalar(4); Tensor b4 = b.mul(four)) {
                    checkClose(b4.toFloatArray(), y0.toFloatArray(), "zero input gives the bias");
                }
                expect(ShapeMismatchException.class, () -> lin.forward(Tensor.zeros(4, 5)));
            }
            try (Linear nobias = new Linear(3, 2, false); Parameters ps = nobias.parameters()) {
                checkEquals(1, ps.size(), "no bias");
            }
        });

        test("Sequential owns its modules", () -> {
            long before = ToRSh.handlesLive();
            Linear first = new Linear(2, 4);
            ReLU act = new ReLU();
            Sequential model = new Sequential(first, act);
            check(!first.ownsHandle() && !act.ownsHandle(), "modules handed over");
            check(model.ownsHandle(), "the sequential owns itself");
            InvalidArgumentException twice = expect(InvalidArgumentException.class,
                    () -> model.add(first));
            check(twice.getMessage().contains("handed over"), "message: " + twice.getMessage());
            expect(InvalidArgumentException.class, () -> model.add(model));
            try (Sequential outer = new Sequential(); Sequential inner = new Sequential()) {
                outer.add(inner);
                expect(InvalidArgumentException.class, () -> inner.add(outer)); // a cycle
                check(outer.ownsHandle(), "a refused module stays with its owner");
            }
            model.add(new Linear(4, 1));
            try (Tensor x = Tensor.rand(5, 2); Tensor y = model.forward(x); Tensor h = first.forward(x)) {
                checkEquals(new long[] {5, 1}, y.shape(), "model output");
                checkEquals(new long[] {5, 4}, h.shape(), "a handed-over module still works");
            }
            try (Parameters ps = model.parameters()) {
                checkEquals(4, ps.size(), "2 Linear x (weight, bias)");
            }
            first.close(); // forgets the handle; the model still owns the module
            try (Tensor x = Tensor.rand(1, 2); Tensor y = model.forward(x)) {
                checkEquals(new long[] {1, 1}, y.shape(), "model works after first.close()");
            }
            model.close();
            model.close();
            expect(InvalidHandleException.class, () -> act.forward(Tensor.zeros(1)));
            long after = awaitHandles(before);
            check(after <= before, "handles_live after closing the model: " + after + " > " + before);
        });

        test("losses", () -> {
            try (Tensor logits = Tensor.zeros(2, 3);
                 Tensor target = Tensor.fromLongArray(new long[] {0, 2}, 2);
                 Tensor ce = logits.crossEntropy(target);
                 Tensor p = Tensor.of(1, 2, 3);
                 Tensor q = Tensor.of(1, 4, 0);
                 Tensor mse = p.mseLoss(q)) {
                checkClose(new float[] {(float) Math.log(3)}, ce.toFloatArray(), "cross entropy");
                checkClose(new float[] {13f / 3}, mse.toFloatArray(), "mse");
                try (Tensor bad = Tensor.fromLongArray(new long[] {0, 5}, 2)) {
                    expect(IndexException.class, () -> logits.crossEntropy(bad));
                }
                try (Tensor r = Tensor.of(1, 2)) {
                    expect(ShapeMismatchException.class, () -> p.mseLoss(r));
                }
            }
        });

        test("training loss falls (Adam)", () -> {
            float[] losses = train(true, 60);
            check(losses[losses.length - 1] < losses[0] / 5,
                    "loss fell from " + losses[0] + " to " + losses[losses.length - 1]);
        });

        test("training loss falls (Sgd)", () -> {
            float[] losses = train(false, 60);
            check(losses[losses.length - 1] < losses[0],
                    "loss fell from " + losses[0] + " to " + losses[losses.length - 1]);
        });

        test("optimizer takes over the parameter list", () -> {
            try (Linear lin = new Linear(2, 1)) {
                Parameters ps = lin.parameters();
                try (Adam adam = new Adam(ps, 0.1)) {
                    check(!ps.ownsHandle(), "handed over");
                    checkEquals(2, ps.size(), "still readable while the optimizer is open");
                    expect(InvalidArgumentException.class, () -> new Adam(ps, 0.1));
                    adam.zeroGrad();
                    adam.step(); // no gradients: nothing to update
                }
                expect(InvalidHandleException.class, ps::size);
                ps.close();
                Parameters again = lin.parameters();
                expect(InvalidArgumentException.class, () -> new Adam(again, -1.0));
                check(!again.ownsHandle(), "taken over even when the constructor fails");
            }
        });

        test("Cleaner releases modules and optimizers never closed", () -> {
            long before = ToRSh.handlesLive();
            for (int i = 0; i < 20; i++) {
                Sequential m = new Sequential(new Linear(3, 3), new Tanh(), new Linear(3, 1));
                Adam opt = new Adam(m.parameters(), 0.01);
                Tensor loss = m.forward(Tensor.rand(2, 3)).sum();
                loss.backward();
                opt.step();
            }
            long after = awaitHandles(before);
            check(after <= before, "handles_live after GC: " + after + " > " + before);
        });

        test("ops from several threads", () -> {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int k = 0; k < 16; k++) {
                    final float f = k;
                    results.add(pool.submit(() -> {
                        // Each thread has its own last error: the injected code comes back.
                        int code = 1 + (int) f % 13;
                        TorshException e = expectAny(() -> ToRSh.debugRaise(code));
                        checkEquals(code, e.getCode(), "injected code on thread " + f);
                        try (Tensor a = Tensor.of(f, f + 1); Tensor b = a.mul(a); Tensor s = b.sum()) {
                            return s.toFloatArray();
                        }
                    }));
                }
                for (int k = 0; k < 16; k++) {
                    float expected = k * k + (k + 1) * (k + 1);
                    checkEquals(expected, results.get(k).get()[0], "thread " + k);
                }
            } finally {
                pool.shutdown();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        });

        test("Cleaner and closes from several threads", () -> {
            long before = ToRSh.handlesLive();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int k = 0; k < 8; k++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 300; i++) {
                            Tensor a = Tensor.of(i, 1);
                            Tensor b = a.add(a); // a and b left to the Cleaner
                            if (i % 2 == 0) {
                                b.close();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
            long after = awaitHandles(before);
            check(after <= before, "handles_live after GC: " + after + " > " + before);
        });

        test("no handles leak", () -> {
            long after = awaitHandles(baseline);
            check(after <= baseline, "handles_live at the end: " + after + " > " + baseline);
        });

        System.out.println(passed + " passed, " + failures.size() + " failed");
        if (!failures.isEmpty()) {
            System.out.println("failed: " + String.join(", ", failures));
            System.exit(1);
        }
    }

    /** Trains Linear/ReLU/Linear on y = 2 x0 - 3 x1 + 0.5; returns the losses. */
    static float[] train(boolean adam, int steps) {
        ToRSh.manualSeed(0);
        float[] losses = new float[steps];
        try (Tensor x = Tensor.rand(64, 2);
             Tensor coef = Tensor.fromArray(new float[] {2, -3}, 2, 1);
             Tensor xc = x.matmul(coef);
             Tensor y = xc.add(0.5f);
             Sequential model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1));
             Optimizer opt = adam ? new Adam(model.parameters(), 0.05)
                     : new Sgd(model.parameters(), 0.1, 0.9)) {
            for (int step = 0; step < steps; step++) {
                opt.zeroGrad();
                try (Tensor pred = model.forward(x); Tensor loss = pred.mseLoss(y)) {
                    loss.backward();
                    opt.step();
                    losses[step] = loss.item();
                }
            }
        }
        return losses;
    }
}
