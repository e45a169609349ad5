package org.torsh;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;

/**
 * A module's parameter list (torsh_params_t). It holds references to the parameters, so
 * they outlive the module. Handing it to an optimizer ({@link Adam}, {@link Sgd}) gives it
 * away: the optimizer frees it, and this object stays readable while the optimizer is
 * open.
 */
public final class Parameters extends NativeObject {
    Parameters(long handle) {
        super(handle, ToRSh::paramsFree, "Parameters");
    }

    public int size() {
        try {
            return Math.toIntExact(ToRSh.paramsCount(handle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Parameter i: a new reference to the very tensor the module uses (close it). */
    public Tensor get(int i) {
        try {
            return new Tensor(ToRSh.paramsGet(handle(), i));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Every parameter (each a new reference). */
    public List<Tensor> toList() {
        int n = size();
        List<Tensor> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(get(i));
        }
        return out;
    }
}
