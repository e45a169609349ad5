package org.torsh;

import java.util.Arrays;

/**
 * A tour of the Java bindings:
 *
 * <pre>
 * bindings/java/build.sh
 * java -Djava.library.path=bindings/java/build/lib -cp bindings/java/build/classes \
 *      org.torsh.Example
 * </pre>
 */
public final class Example {
    private Example() {}

    public static void main(String[] args) {
        ToRSh.init();
        System.out.println("libtorsh " + ToRSh.version());

        // Tensors: flat values and a shape. try-with-resources releases them; a tensor
        // never closed is released by a Cleaner once unreachable.
        try (Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor b = Tensor.fromArray(new float[][] {{10, 20, 30}, {40, 50, 60}});
             Tensor sum = a.add(b);
             Tensor w = Tensor.fromArray(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
             Tensor prod = a.matmul(w);
             Tensor shifted = a.sub(3);
             Tensor r = shifted.relu();
             Tensor rsum = r.sum()) {
            System.out.println("a + b          = " + Arrays.toString(sum.toFloatArray())
                    + " shape " + Arrays.toString(sum.shape()));
            System.out.println("a.matmul(w)    = " + Arrays.toString(prod.toFloatArray())
                    + " shape " + Arrays.toString(prod.shape()));
            System.out.println("relu(a - 3)    = " + Arrays.toString(r.toFloatArray())
                    + ", sum " + rsum.item());
        }

        // Autograd: d/dx sum(x * x) = 2x.
        try (Tensor x = Tensor.of(1, 2, 3).setRequiresGrad(true);
             Tensor sq = x.mul(x);
             Tensor loss = sq.sum()) {
            loss.backward();
            try (Tensor g = x.grad()) {
                System.out.println("grad of sum(x*x) at " + Arrays.toString(x.toFloatArray())
                        + " = " + Arrays.toString(g.toFloatArray()));
            }
        }

        // Training Linear -> ReLU -> Linear with Adam on y = 2 x0 - 3 x1 + 0.5.
        ToRSh.manualSeed(0);
        float first = 0;
        float last = 0;
        try (Tensor inputs = Tensor.rand(64, 2);
             Tensor coef = Tensor.fromArray(new float[] {2, -3}, 2, 1);
             Tensor lin = inputs.matmul(coef);
             Tensor targets = lin.add(0.5f);
             Sequential model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1));
             Adam optimizer = new Adam(model.parameters(), 0.05)) {
            for (int step = 1; step <= 80; step++) {
                optimizer.zeroGrad();
                try (Tensor pred = model.forward(inputs); Tensor loss = pred.mseLoss(targets)) {
                    loss.backward();
                    optimizer.step();
                    last = loss.item();
                    if (step == 1) {
                        first = last;
                    }
                    if (step == 1 || step % 10 == 0) {
                        System.out.printf("step %3d  loss %.5f%n", step, last);
                    }
                }
            }
        }
        if (!(last < first / 5)) {
            throw new IllegalStateException("the loss did not fall: " + first + " -> " + last);
        }

        // Errors surface as exceptions named after the torsh status, with the C message.
        try (Tensor p = Tensor.zeros(2, 3); Tensor q = Tensor.zeros(4, 5)) {
            p.matmul(q).close();
        } catch (ShapeMismatchException e) {
            System.out.println("caught " + e.getClass().getSimpleName() + " (status " + e.getCode()
                    + "): " + e.getMessage());
        }

        // Handles never closed are released by the Cleaner after garbage collection.
        long before = ToRSh.handlesLive();
        for (int i = 0; i < 100; i++) {
            Tensor.zeros(10);
        }
        System.out.println("live handles: " + before + " before, " + ToRSh.handlesLive()
                + " with 100 unclosed tensors");
        for (int i = 0; i < 100 && ToRSh.handlesLive() > before; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        System.out.println("live handles after GC: " + ToRSh.handlesLive());
    }
}
