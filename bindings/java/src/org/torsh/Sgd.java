package org.torsh;

/** torch.optim.SGD with momentum. Takes over the parameter list. */
public final class Sgd extends Optimizer {
    public Sgd(Parameters params, double lr) {
        this(params, lr, 0.0);
    }

    public Sgd(Parameters params, double lr, double momentum) {
        super(ToRSh.sgdNew(take(params, "Sgd"), lr, momentum), "Sgd");
        params.keepAlive(this);
    }
}
