package org.torsh;

import java.lang.ref.Reference;

/**
 * Modules applied in order. {@link #add} hands the module over to the Sequential
 * (torsh_sequential_add takes it over): closing the Sequential frees its modules.
 *
 * <pre>{@code
 * try (Sequential model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1))) {
 *     Tensor y = model.forward(x);
 * }
 * }</pre>
 */
public final class Sequential extends Module {
    public Sequential(Module... modules) {
        super(ToRSh.sequentialNew(), "Sequential");
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends module (which this Sequential owns from now on); returns this. */
    public Sequential add(Module module) {
        if (module == null) {
            throw new NullArgumentException("Sequential.add: module is null");
        }
        // torsh frees a module that contains itself (directly or through its parents)
        // when it is added, so a cycle is refused here, before the module is handed over.
        for (Object o = this; o instanceof Module; o = ((Module) o).keeper()) {
            if (o == module) {
                throw new InvalidArgumentException(
                        "Sequential.add: a Sequential cannot contain itself");
            }
        }
        try {
            long self = handle();
            // torsh takes the module over even when the add fails, so it is handed over first.
            long child = module.handOver(this, "Sequential.add");
            ToRSh.sequentialAdd(self, child);
            return this;
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(module);
        }
    }
}
