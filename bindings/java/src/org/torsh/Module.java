package org.torsh;

import java.lang.ref.Reference;

/**
 * A torsh module (torsh_module_t): {@link Sequential}, {@link Linear}, {@link ReLU},
 * {@link Sigmoid}, {@link Tanh}. close() frees it, unless it was added to a Sequential,
 * which owns it from then on (the Java object stays usable while that Sequential is open).
 */
public abstract class Module extends NativeObject {
    Module(long handle, String kind) {
        super(handle, ToRSh::moduleFree, kind);
    }

    /** The module applied to input (recorded by autograd). */
    public Tensor forward(Tensor input) {
        if (input == null) {
            throw new NullArgumentException("forward: input is null");
        }
        try {
            return new Tensor(ToRSh.forward(handle(), input.handle()));
        } finally {
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(input);
        }
    }

    /**
     * The parameters in registration order (Linear: weight, then bias). Close the list, or
     * hand it to an optimizer ({@code new Adam(model.parameters(), 0.01)}).
     */
    public Parameters parameters() {
        try {
            return new Parameters(ToRSh.parameters(handle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
