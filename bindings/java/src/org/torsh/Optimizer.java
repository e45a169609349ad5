package org.torsh;

import java.lang.ref.Reference;

/** An optimizer over a parameter list it owns ({@link Adam}, {@link Sgd}). */
public abstract class Optimizer extends NativeObject {
    Optimizer(long handle, String kind) {
        super(handle, ToRSh::optimizerFree, kind);
    }

    /** Hands params over to a torsh optimizer constructor (which takes it over). */
    static long take(Parameters params, String what) {
        if (params == null) {
            throw new NullArgumentException(what + ": params is null");
        }
        try {
            return params.handOver(null, what);
        } finally {
            Reference.reachabilityFence(params);
        }
    }

    /** Drops every parameter's gradient. */
    public void zeroGrad() {
        try {
            ToRSh.zeroGrad(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Updates every parameter that has a gradient. */
    public void step() {
        try {
            ToRSh.step(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
